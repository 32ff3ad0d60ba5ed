/// One value of a trial parameter, typed as the parameter registry needs it.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
  /// An integer (grid_size, epochs, …).
  case integer(Int)
  /// A number (learning_rate, …).
  case number(Double)
  /// A name (dataset, model, …).
  case text(String)
  /// A list of integers (hidden_layers).
  case integers([Int])
  /// A list of numbers (grid_range).
  case numbers([Double])

  /// The value as written in tables, reports and trial descriptions (`0.001`, `[64, 32]`).
  public var description: String {
    switch self {
    case .integer(let value): return String(value)
    case .number(let value): return formatParameterNumber(value)
    case .text(let value): return value
    case .integers(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
    case .numbers(let values):
      return "[" + values.map(formatParameterNumber).joined(separator: ", ") + "]"
    }
  }

  /// The value as `sweep train` takes it after its option: lists comma-separated without
  /// spaces (`64,32`; `none` for an empty list), numbers in their shortest exact form.
  public var commandLineText: String {
    switch self {
    case .integer, .number, .text: return description
    case .integers(let values):
      return values.isEmpty ? "none" : values.map(String.init).joined(separator: ",")
    case .numbers(let values):
      return values.isEmpty ? "none" : values.map(formatParameterNumber).joined(separator: ",")
    }
  }
}

/// A number as short as it can be written and still read back to the same `Float` (`0.001`,
/// `1e-05`): parameters that are numbers are stored as `Float`.
func formatParameterNumber(_ value: Double) -> String {
  "\(Float(value))"
}
