/// One trial parameter, declared once in ``TrainingParameter/all``: its sweep-file name, type and
/// range, default, scope, help and `sweep train` spelling. Sweep-file parsing, expansion, trial
/// identities, the reproduce command, `sweep train`'s options, report and CSV columns and help
/// texts are all derived from these declarations.
///
/// Concretely, an entry such as
/// ```swift
/// TrainingParameter(
///   "grid_size", \.gridSize, .integer(1...1000), kanOnly: true, help: "KAN grid intervals G.")
/// ```
/// reads and writes `TrainingConfiguration.gridSize`, checks 1…1000, is spelled `grid_size` in
/// sweep files and JSON and `--grid-size` (or `--grid_size`) by `sweep train`, and is reset to its
/// default in MLP trials.
public struct TrainingParameter: Sendable {
  /// The snake_case name used in sweep files, stored configurations and report columns.
  public let name: String
  /// What it takes, with its range.
  public let type: ParameterType
  /// One line for help texts.
  public let help: String
  /// Whether only KAN models use it (MLP trials reset it to its default).
  public let kanOnly: Bool
  /// Whether only convolutional KANs use it (other trials reset it to its default).
  public let convolutionOnly: Bool
  /// `sweep train`'s long option names without dashes, the first one canonical. Each is also
  /// accepted with `_` for `-`.
  public let optionNames: [String]
  /// Whether sweep files may set it under `parameters:` (the seed has its own `seeds:` key).
  public let inSweepFiles: Bool
  /// Whether the canonical JSON leaves it out at its default value. Parameters added after the
  /// first release do, so that adding one does not change the identity of existing trials.
  public private(set) var omittedAtDefault: Bool
  /// Its value in `TrainingConfiguration()`, `sweep train`'s defaults (nil: unset).
  public let defaultValue: ParameterValue?

  let readValue: @Sendable (TrainingConfiguration) -> ParameterValue?
  let writeValue: @Sendable (inout TrainingConfiguration, ParameterValue?) -> Bool
  let encodeValue:
    @Sendable (
      TrainingConfiguration, inout KeyedEncodingContainer<ParameterCodingKey>, _ omitDefault: Bool
    ) throws -> Void
  let decodeValue:
    @Sendable (inout TrainingConfiguration, KeyedDecodingContainer<ParameterCodingKey>) throws ->
      Void

  /// A parameter stored in a non-optional field.
  init<Field: ParameterField>(
    _ name: String, _ keyPath: WritableKeyPath<TrainingConfiguration, Field> & Sendable,
    _ type: ParameterType, kanOnly: Bool = false, convolutionOnly: Bool = false,
    options: [String]? = nil, inSweepFiles: Bool = true, help: String
  ) {
    let key = ParameterCodingKey(name)
    let defaultField = TrainingConfiguration()[keyPath: keyPath]
    self.init(
      name: name, type: type, help: help, kanOnly: kanOnly || convolutionOnly,
      convolutionOnly: convolutionOnly,
      optionNames: options ?? [name.replacingOccurrences(of: "_", with: "-")],
      inSweepFiles: inSweepFiles, omittedAtDefault: true,
      defaultValue: defaultField.parameterValue,
      readValue: { $0[keyPath: keyPath].parameterValue },
      writeValue: { configuration, value in
        guard let value, let field = Field(parameterValue: value) else { return false }
        configuration[keyPath: keyPath] = field
        return true
      },
      encodeValue: { configuration, container, omitDefault in
        let field = configuration[keyPath: keyPath]
        if omitDefault && field == defaultField { return }
        try container.encode(field, forKey: key)
      },
      decodeValue: { configuration, container in
        if let field = try container.decodeIfPresent(Field.self, forKey: key) {
          configuration[keyPath: keyPath] = field
        }
      })
  }

  /// A parameter stored in an optional field (nil: unset, left out of the JSON).
  init<Field: ParameterField>(
    _ name: String, _ keyPath: WritableKeyPath<TrainingConfiguration, Field?> & Sendable,
    _ type: ParameterType, kanOnly: Bool = false, options: [String]? = nil, help: String
  ) {
    let key = ParameterCodingKey(name)
    self.init(
      name: name, type: type, help: help, kanOnly: kanOnly, convolutionOnly: false,
      optionNames: options ?? [name.replacingOccurrences(of: "_", with: "-")],
      inSweepFiles: true, omittedAtDefault: true,
      defaultValue: TrainingConfiguration()[keyPath: keyPath]?.parameterValue,
      readValue: { $0[keyPath: keyPath]?.parameterValue },
      writeValue: { configuration, value in
        guard let value else {
          configuration[keyPath: keyPath] = nil
          return true
        }
        guard let field = Field(parameterValue: value) else { return false }
        configuration[keyPath: keyPath] = field
        return true
      },
      encodeValue: { configuration, container, _ in
        try container.encodeIfPresent(configuration[keyPath: keyPath], forKey: key)
      },
      decodeValue: { configuration, container in
        configuration[keyPath: keyPath] = try container.decodeIfPresent(Field.self, forKey: key)
      })
  }

  private init(
    name: String, type: ParameterType, help: String, kanOnly: Bool, convolutionOnly: Bool,
    optionNames: [String],
    inSweepFiles: Bool, omittedAtDefault: Bool, defaultValue: ParameterValue?,
    readValue: @escaping @Sendable (TrainingConfiguration) -> ParameterValue?,
    writeValue: @escaping @Sendable (inout TrainingConfiguration, ParameterValue?) -> Bool,
    encodeValue:
      @escaping @Sendable (
        TrainingConfiguration, inout KeyedEncodingContainer<ParameterCodingKey>, Bool
      ) throws -> Void,
    decodeValue:
      @escaping @Sendable (inout TrainingConfiguration, KeyedDecodingContainer<ParameterCodingKey>)
      throws -> Void
  ) {
    self.name = name
    self.type = type
    self.help = help
    self.kanOnly = kanOnly
    self.convolutionOnly = convolutionOnly
    self.optionNames = optionNames
    self.inSweepFiles = inSweepFiles
    self.omittedAtDefault = omittedAtDefault
    self.defaultValue = defaultValue
    self.readValue = readValue
    self.writeValue = writeValue
    self.encodeValue = encodeValue
    self.decodeValue = decodeValue
  }

  /// This parameter, always written to the canonical JSON (the first release's parameters:
  /// their presence at default values is part of existing trial identities).
  func alwaysEncoded() -> TrainingParameter {
    var copy = self
    copy.omittedAtDefault = false
    return copy
  }

  /// Reads the parameter from `container` into `configuration` (absent: unchanged).
  func decode(
    into configuration: inout TrainingConfiguration,
    from container: KeyedDecodingContainer<ParameterCodingKey>
  ) throws {
    try decodeValue(&configuration, container)
  }

  /// Writes the parameter's value into `container` (left out when unset, or at its default
  /// when ``omittedAtDefault``).
  func encode(
    _ configuration: TrainingConfiguration,
    into container: inout KeyedEncodingContainer<ParameterCodingKey>
  ) throws {
    try encodeValue(configuration, &container, omittedAtDefault)
  }

  /// The parameter's value in `configuration` (nil: unset).
  public func value(in configuration: TrainingConfiguration) -> ParameterValue? {
    readValue(configuration)
  }

  /// Checks `value` against the type and range and, when it fits, stores it in `configuration`.
  /// Returns nil on success, otherwise what is wrong (and `configuration` is unchanged).
  @discardableResult
  public func assign(_ value: ParameterValue, to configuration: inout TrainingConfiguration)
    -> String?
  {
    if let problem = type.problem(with: value) { return problem }
    var updated = configuration
    guard writeValue(&updated, value) else { return "must be \(type.summary), got \(value)" }
    configuration = updated
    return nil
  }

  /// Puts the default value back in `configuration`.
  public func reset(_ configuration: inout TrainingConfiguration) {
    _ = writeValue(&configuration, defaultValue)
  }

  /// `--grid-size`: the canonical option of `sweep train`.
  public var option: String { "--" + (optionNames.first ?? name) }

  /// Every spelling `sweep train` accepts, with dashes: `--num-epochs`, `--num_epochs`.
  public var acceptedOptions: [String] {
    var spellings: [String] = []
    for name in optionNames {
      for spelling in [name, name.replacingOccurrences(of: "-", with: "_")]
      where !spellings.contains("--" + spelling) {
        spellings.append("--" + spelling)
      }
    }
    return spellings
  }
}

/// A sweep-file name as a JSON key.
struct ParameterCodingKey: CodingKey {
  let stringValue: String
  var intValue: Int? { nil }
  init(_ name: String) { stringValue = name }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

/// A `TrainingConfiguration` field type that a ``ParameterValue`` can hold.
protocol ParameterField: Codable, Equatable, Sendable {
  /// The field from a value of the matching case, or nil.
  init?(parameterValue: ParameterValue)
  /// The field as a value.
  var parameterValue: ParameterValue { get }
}

extension Int: ParameterField {
  init?(parameterValue: ParameterValue) {
    guard case .integer(let value) = parameterValue else { return nil }
    self = value
  }
  var parameterValue: ParameterValue { .integer(self) }
}

extension UInt64: ParameterField {
  init?(parameterValue: ParameterValue) {
    guard case .integer(let value) = parameterValue, value >= 0 else { return nil }
    self = UInt64(value)
  }
  var parameterValue: ParameterValue { .integer(Int(clamping: self)) }
}

extension Float: ParameterField {
  init?(parameterValue: ParameterValue) {
    guard case .number(let value) = parameterValue, Float(value).isFinite else { return nil }
    self = Float(value)
  }
  var parameterValue: ParameterValue { .number(Double(self)) }
}

extension Array: ParameterField where Element: ParameterListElement {
  init?(parameterValue: ParameterValue) {
    guard let values = Element.list(parameterValue) else { return nil }
    self = values
  }
  var parameterValue: ParameterValue { Element.value(self) }
}

/// Element types of list parameters.
protocol ParameterListElement: Codable, Equatable, Sendable {
  static func list(_ value: ParameterValue) -> [Self]?
  static func value(_ list: [Self]) -> ParameterValue
}

extension Int: ParameterListElement {
  static func list(_ value: ParameterValue) -> [Int]? {
    guard case .integers(let values) = value else { return nil }
    return values
  }
  static func value(_ list: [Int]) -> ParameterValue { .integers(list) }
}

extension Float: ParameterListElement {
  static func list(_ value: ParameterValue) -> [Float]? {
    guard case .numbers(let values) = value, values.allSatisfy({ Float($0).isFinite }) else {
      return nil
    }
    return values.map { Float($0) }
  }
  static func value(_ list: [Float]) -> ParameterValue { .numbers(list.map(Double.init)) }
}

/// String enums whose raw values are a choice parameter's names.
protocol ParameterChoice: ParameterField, RawRepresentable, CaseIterable
where RawValue == String {}

extension ParameterChoice {
  init?(parameterValue: ParameterValue) {
    guard case .text(let name) = parameterValue else { return nil }
    self.init(rawValue: name)
  }
  var parameterValue: ParameterValue { .text(rawValue) }
  /// `.choice` of every raw value.
  static var parameterType: ParameterType { .choice(allCases.map(\.rawValue)) }
}

extension DatasetName: ParameterChoice {}
extension ModelKind: ParameterChoice {}
extension BaseActivation: ParameterChoice {}
extension LearningRateSchedule: ParameterChoice {}
extension Normalization: ParameterChoice {}
extension OptimizerKind: ParameterChoice {}
extension MatchKind: ParameterChoice {}
extension BasisKind: ParameterChoice {}
