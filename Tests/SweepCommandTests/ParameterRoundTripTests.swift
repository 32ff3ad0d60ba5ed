import Foundation
import KANLib
import Sweep
import Testing

@testable import SweepCommand

/// Every parameter of the registry survives YAML → configuration → reproduce command →
/// `sweep train` parsing → the same configuration.
@Suite struct ParameterRoundTripTests {
  /// A valid value of `parameter` that differs from its default, and its YAML spelling.
  static func sample(_ parameter: TrainingParameter) -> (value: ParameterValue, yaml: String) {
    switch parameter.type {
    case .integer(let range):
      let value =
        parameter.defaultValue.flatMap { value -> Int? in
          guard case .integer(let number) = value, range.contains(number + 2) else { return nil }
          return number + 2
        } ?? range.lowerBound + 6
      return (.integer(value), String(value))
    case .number(let range):
      // An awkward fraction of the range: its shortest Float spelling must survive the trip.
      let value = range.lowerBound + (range.upperBound - range.lowerBound) * 0.123456789
      return (.number(value), "\(value)")
    case .choice(let names):
      let name = names.last { .text($0) != parameter.defaultValue } ?? names[0]
      return (.text(name), name)
    // A grid schedule increases and starts at grid_size's sample (5 + 2), which it sets.
    case .integers where parameter.name == "grid_schedule": return (.integers([7, 20]), "[7, 20]")
    // Three strides, as many as the default conv_channels' two convolutions plus the last.
    case .integers where parameter.name == "conv_strides":
      return (.integers([1, 2, 1]), "[1, 2, 1]")
    case .integers: return (.integers([3, 2]), "[3, 2]")
    case .numbers: return (.numbers([-0.75, 1.3]), "[-0.75, 1.3]")
    }
  }

  /// The configuration `sweep train` builds from `arguments`.
  static func trainConfiguration(_ arguments: [String]) throws -> TrainingConfiguration {
    try TrainCommand.parse(arguments).trainingConfiguration()
  }

  @Test(arguments: TrainingParameter.sweepFileParameters.map(\.name))
  func oneParameterRoundTrips(_ name: String) throws {
    let parameter = try #require(TrainingParameter.named(name))
    let (value, yaml) = Self.sample(parameter)
    // `match` sizes MLPs only (a KAN trial drops it); convolution parameters need conv_kan.
    let model =
      name == "match"
      ? "  model: {value: mlp}\n"
      : parameter.convolutionOnly ? "  model: {value: conv_kan}\n" : ""
    let file = try ExperimentFile(
      text: "name: rt\nseeds: [12345]\nparameters:\n\(model)  \(name): {value: \(yaml)}\n",
      path: "rt.yaml")
    let configuration = try #require(try file.plannedTrials().first?.configuration)
    #expect(parameter.value(in: configuration) != parameter.defaultValue, "\(name) unchanged")
    if parameter.kanOnly && configuration.model == .mlp { return }
    #expect(parameter.type.problem(with: value) == nil)
    let arguments = configuration.commandLineArguments
    let parsed = try Self.trainConfiguration(arguments)
    #expect(parsed == configuration, "\(name): \(arguments)")
    #expect(try parsed.canonicalJSON() == configuration.canonicalJSON())
  }

  @Test func everyParameterAtOnceRoundTrips() throws {
    // A matched MLP keeps every KAN parameter (they size it), so all of them survive; the
    // convolution parameters are conv_kan's (one trip each in `oneParameterRoundTrips`).
    var yaml = "name: all\nseeds: [7]\nparameters:\n  model: {value: mlp}\n"
    let parameters = TrainingParameter.sweepFileParameters.filter {
      $0.name != "model" && !$0.convolutionOnly
    }
    for parameter in parameters {
      yaml += "  \(parameter.name): {value: \(Self.sample(parameter).yaml)}\n"
    }
    let configuration = try #require(
      try ExperimentFile(text: yaml, path: "all.yaml").plannedTrials().first?.configuration)
    for parameter in parameters {
      #expect(parameter.value(in: configuration) == Self.sample(parameter).value.normalized)
    }
    let command = TrialCommands(executable: "sweep").train(
      configuration, threads: 2, dataDirectory: nil, savePath: "out.safetensors")
    #expect(command.hasPrefix("sweep train --dataset "))
    #expect(command.hasSuffix("--seed 7 --threads 2 --save-path out.safetensors"))
    let arguments = Array(
      command.split(separator: " ").dropFirst(2).dropLast(2).map(String.init))
    let parsed = try Self.trainConfiguration(arguments)
    #expect(parsed == configuration, "\(command)")
  }

  /// The seed program's spellings and ours, `=` forms and negative values.
  @Test func trainAcceptsEverySpelling() throws {
    let parsed = try Self.trainConfiguration([
      "--num_epochs", "3", "--batch-size=32", "--grid_size", "7", "--grid-range", "-2,2",
      "--hidden-layers", "none", "--seed", "4",
    ])
    #expect(parsed.epochs == 3 && parsed.batchSize == 32 && parsed.gridSize == 7)
    #expect(parsed.gridRange == [-2, 2] && parsed.hiddenLayers.isEmpty && parsed.seed == 4)
    let layered = try Self.trainConfiguration(["--num-layers", "3", "--hidden-dim", "16"])
    #expect(layered.hiddenLayers == [16, 16])
    #expect(throws: (any Error).self) { try Self.trainConfiguration(["--spline-order", "-1"]) }
    #expect(throws: (any Error).self) { try Self.trainConfiguration(["--grid-sise", "3"]) }
    #expect(throws: (any Error).self) { try Self.trainConfiguration(["--grid-range", "1,-1"]) }
  }
}

extension ParameterValue {
  /// The value as a configuration stores it (numbers rounded to Float).
  var normalized: ParameterValue {
    switch self {
    case .number(let value): return .number(Double(Float(value)))
    case .numbers(let values): return .numbers(values.map { Double(Float($0)) })
    default: return self
    }
  }
}
