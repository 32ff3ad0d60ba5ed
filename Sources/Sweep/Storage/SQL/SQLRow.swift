/// One result row: values by column name or position, read as typed Swift values that fail with
/// the column's name (`try row["attempt"] as Int`).
public struct SQLRow: Sendable {
  /// Column names to positions, shared by the rows of one result.
  public final class Columns: Sendable {
    let names: [String]
    let positions: [String: Int]

    /// Columns in statement order.
    public init(_ names: [String]) {
      self.names = names
      positions = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in first }
    }
  }

  /// The values in column order.
  public let values: [SQLValue]
  /// Their names.
  public let columns: Columns

  /// A row of `values` named by `columns`.
  public init(values: [SQLValue], columns: Columns) {
    self.values = values
    self.columns = columns
  }

  /// The value of the column called `name`, as `T`.
  func get<T: SQLColumnValue>(_ name: String) throws(SQLRowError) -> T {
    guard let index = columns.positions[name] else {
      throw SQLRowError(column: name, message: "no such column (have \(columns.names))")
    }
    return try T(values[index], column: name)
  }

  /// The value at 0-based position `index`, as `T`.
  func get<T: SQLColumnValue>(_ index: Int) throws(SQLRowError) -> T {
    guard values.indices.contains(index) else {
      throw SQLRowError(column: "#\(index)", message: "the row has \(values.count) columns")
    }
    return try T(values[index], column: "#\(index)")
  }

  /// The double stored as its bit pattern in the integer column `name`.
  func bits(_ name: String) throws(SQLRowError) -> Double {
    Double(bitPattern: UInt64(bitPattern: try get(name) as Int64))
  }
}

/// A Swift type a column value converts to; `Optional` accepts NULL, the others refuse it.
protocol SQLColumnValue {
  init(_ value: SQLValue, column: String) throws(SQLRowError)
}

extension Int64: SQLColumnValue {
  init(_ value: SQLValue, column: String) throws(SQLRowError) {
    switch value {
    case .integer(let integer): self = integer
    case .real(let real) where real == real.rounded() && abs(real) < 9e18: self = Int64(real)
    default: throw SQLRowError(column: column, message: "expected an integer, got \(value)")
    }
  }
}

extension Int: SQLColumnValue {
  init(_ value: SQLValue, column: String) throws(SQLRowError) {
    self = Int(try Int64(value, column: column))
  }
}

extension Double: SQLColumnValue {
  init(_ value: SQLValue, column: String) throws(SQLRowError) {
    switch value {
    case .real(let real): self = real
    case .integer(let integer): self = Double(integer)
    default: throw SQLRowError(column: column, message: "expected a number, got \(value)")
    }
  }
}

extension String: SQLColumnValue {
  init(_ value: SQLValue, column: String) throws(SQLRowError) {
    guard case .text(let text) = value else {
      throw SQLRowError(column: column, message: "expected text, got \(value)")
    }
    self = text
  }
}

extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
  init(_ value: SQLValue, column: String) throws(SQLRowError) {
    self = value == .null ? nil : try Wrapped(value, column: column)
  }
}

/// A row that does not have the shape a store operation expects.
public struct SQLRowError: Error, CustomStringConvertible {
  /// The column.
  public let column: String
  /// What is wrong.
  public let message: String

  /// `column x: message`.
  public var description: String { "column \(column): \(message)" }
}
