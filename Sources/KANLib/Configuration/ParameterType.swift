import Foundation

/// What a trial parameter takes, with its valid range: the one place a value is checked.
public enum ParameterType: Sendable, Hashable {
  /// An integer in the range.
  case integer(ClosedRange<Int>)
  /// A finite number in the range (stored as `Float`, so the range keeps it representable).
  case number(ClosedRange<Double>)
  /// One of the names.
  case choice([String])
  /// A list of `count` integers, each in `each`.
  case integers(each: ClosedRange<Int>, count: ClosedRange<Int>)
  /// A list of `count` finite numbers, each in `each`.
  case numbers(each: ClosedRange<Double>, count: ClosedRange<Int>)

  /// What the parameter takes, for messages and help: "an integer in 1…1000".
  public var summary: String {
    switch self {
    case .integer(let range): return "an integer in \(Self.text(range))"
    case .number(let range): return "a number in \(Self.text(range))"
    case .choice(let names): return "one of " + names.joined(separator: ", ")
    case .integers(let each, let count):
      return "a list of \(Self.text(count)) integers, each in \(Self.text(each))"
    case .numbers(let each, let count):
      return "a list of \(Self.text(count)) numbers, each in \(Self.text(each))"
    }
  }

  /// A short name of the type for usage lines: `<integer>`, `<a|b>`, `<n,n,…>`.
  public var placeholder: String {
    switch self {
    case .integer: return "<integer>"
    case .number: return "<number>"
    case .choice(let names): return "<" + names.joined(separator: "|") + ">"
    case .integers: return "<n,n,…>"
    case .numbers: return "<x,x,…>"
    }
  }

  /// nil when `value` has this type and lies in range; otherwise what is wrong ("must be …, got …").
  public func problem(with value: ParameterValue) -> String? {
    switch (self, value) {
    case (.integer(let range), .integer(let number)):
      return range.contains(number) ? nil : "must be \(summary), got \(number)"
    case (.number(let range), .number(let number)):
      return number.isFinite && range.contains(number)
        ? nil : "must be \(summary), got \(formatParameterNumber(number))"
    case (.choice(let names), .text(let name)):
      return names.contains(name) ? nil : "must be \(summary), got '\(name)'"
    case (.integers(let each, let count), .integers(let numbers)):
      return count.contains(numbers.count) && numbers.allSatisfy(each.contains)
        ? nil : "must be \(summary), got \(value)"
    case (.numbers(let each, let count), .numbers(let numbers)):
      return count.contains(numbers.count)
        && numbers.allSatisfy { $0.isFinite && each.contains($0) }
        ? nil : "must be \(summary), got \(value)"
    default:
      return "must be \(summary), got \(value)"
    }
  }

  /// Reads command-line text (`5`, `1e-3`, `silu`, `64,32`, `[64, 32]`, `none` for an empty
  /// list); nil when the text does not spell a value of this type (the range is not checked).
  public func parse(_ text: String) -> ParameterValue? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    func items() -> [Substring]? {
      var body = Substring(trimmed)
      if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
      if body.trimmingCharacters(in: .whitespaces).isEmpty || body == "none" { return [] }
      return body.split(separator: ",", omittingEmptySubsequences: false)
    }
    switch self {
    case .integer: return Int(trimmed).map(ParameterValue.integer)
    case .number: return Double(trimmed).map(ParameterValue.number)
    case .choice: return .text(trimmed)
    case .integers:
      guard let items = items() else { return nil }
      let numbers = items.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      return numbers.count == items.count ? .integers(numbers) : nil
    case .numbers:
      guard let items = items() else { return nil }
      let numbers = items.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
      return numbers.count == items.count ? .numbers(numbers) : nil
    }
  }

  static func text(_ range: ClosedRange<Int>) -> String {
    range.lowerBound == range.upperBound
      ? String(range.lowerBound) : "\(range.lowerBound)…\(range.upperBound)"
  }

  static func text(_ range: ClosedRange<Double>) -> String {
    func bound(_ value: Double) -> String {
      value == value.rounded() && abs(value) < 1e9
        ? String(Int(value)) : formatParameterNumber(value)
    }
    return "[\(bound(range.lowerBound)), \(bound(range.upperBound))]"
  }
}
