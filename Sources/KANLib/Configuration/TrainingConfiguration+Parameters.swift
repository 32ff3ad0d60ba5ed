import Foundation

extension TrainingConfiguration {
  /// The value of the parameter `name` as text (`""` when unset or unknown), as tables show it.
  public func value(of name: String) -> String {
    TrainingParameter.named(name)?.value(in: self)?.description ?? ""
  }

  /// Whether the parameter `name` changes this configuration's training: KAN-only parameters
  /// do not for an MLP (unless `match` sizes it by its KAN twin), the convolution parameters
  /// only do for conv_kan, and hidden widths do not for conv_kan.
  public func uses(parameter name: String) -> Bool {
    guard let parameter = TrainingParameter.named(name) else { return true }
    if parameter.convolutionOnly { return model == .convKAN }
    if name == "hidden_layers" { return model != .convKAN }
    if parameter.kanOnly && model == .mlp { return match != .none }
    return true
  }

  /// Sets the KAN-only parameters to their defaults (they do not change an MLP's training).
  public mutating func resetKANOnlyParameters() {
    for parameter in TrainingParameter.all where parameter.kanOnly {
      parameter.reset(&self)
    }
  }

  /// `sweep train`'s arguments for this configuration: `--dataset` and `--model` always, every
  /// other parameter that differs from its default, the seed last. Parsing them with
  /// ``parse(commandLine:base:)`` gives this configuration back.
  public var commandLineArguments: [String] {
    let defaults = TrainingConfiguration()
    var arguments: [String] = []
    var seed: [String] = []
    for parameter in TrainingParameter.all {
      guard let value = parameter.value(in: self) else { continue }
      let always = parameter.name == "dataset" || parameter.name == "model"
      guard always || value != parameter.value(in: defaults) else { continue }
      let text = value.commandLineText
      // `--grid-range=-1.0,1.0`: a value that starts with '-' is joined to its option.
      let pair = text.hasPrefix("-") ? ["\(parameter.option)=\(text)"] : [parameter.option, text]
      if parameter.name == "seed" { seed = pair } else { arguments += pair }
    }
    return arguments + (seed.isEmpty ? ["--seed", "0"] : seed)
  }

  /// Reads registry options (`--grid-size 5`, `--grid_size=5`, `--num-epochs 3`, …) on top of
  /// `base`. Returns the configuration and the names of the parameters the arguments set.
  /// Values are checked against the registry's ranges; constraints between values are not (see
  /// ``problems``).
  public static func parse(
    commandLine arguments: [String], base: TrainingConfiguration = TrainingConfiguration()
  ) throws(CommandLineError) -> (configuration: TrainingConfiguration, set: Set<String>) {
    var configuration = base
    var explicitlySet: Set<String> = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      var option = argument
      var inline: String?
      if let equals = argument.firstIndex(of: "=") {
        option = String(argument[..<equals])
        inline = String(argument[argument.index(after: equals)...])
      }
      guard option.hasPrefix("--"), let parameter = Self.parameter(forOption: option) else {
        let spellings = TrainingParameter.all.flatMap(\.acceptedOptions)
        let hint = closestMatch(to: option, in: spellings).map { " (did you mean '\($0)'?)" } ?? ""
        throw CommandLineError(
          option: option,
          message: "unknown option '\(option)'\(hint); `sweep train --help` lists the options")
      }
      let text: String
      if let inline {
        text = inline
      } else if index < arguments.count {
        text = arguments[index]
        index += 1
      } else {
        throw CommandLineError(
          option: option, message: "\(option) needs a value: \(parameter.type.summary)")
      }
      guard let value = parameter.type.parse(text) else {
        throw CommandLineError(
          option: option, message: "\(option) must be \(parameter.type.summary), got '\(text)'")
      }
      if let problem = parameter.assign(value, to: &configuration) {
        throw CommandLineError(option: option, message: "\(option) \(problem)")
      }
      explicitlySet.insert(parameter.name)
    }
    return (configuration, explicitlySet)
  }

  /// The parameter `option` (`--grid-size`, `--grid_size`, …) names.
  static func parameter(forOption option: String) -> TrainingParameter? {
    TrainingParameter.all.first { $0.acceptedOptions.contains(option) }
  }
}

/// A `sweep train` option that cannot be used.
public struct CommandLineError: Error, CustomStringConvertible {
  /// The option as written (`--grid-size`).
  public let option: String
  /// What is wrong and what to do.
  public let message: String

  /// The message.
  public var description: String { message }
}
