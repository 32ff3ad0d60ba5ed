/// One value passed to or read from a SQL statement, the same for every backend.
///
/// Integers are 64-bit and reals are IEEE doubles in both SQLite and PostgreSQL; values whose
/// exact bits matter (metrics, NaN and ±inf included) are stored as their bit pattern in an
/// integer column beside a readable real column, so no backend rounds or refuses them.
public enum SQLValue: Sendable, Equatable {
  /// SQL NULL.
  case null
  /// A 64-bit integer.
  case integer(Int64)
  /// A double.
  case real(Double)
  /// Text.
  case text(String)
}

/// A Swift value that binds to a statement's `?` placeholder.
public protocol SQLArgument {
  /// The value to bind.
  var sqlValue: SQLValue { get }
}

extension SQLValue: SQLArgument {
  /// Itself.
  public var sqlValue: SQLValue { self }
}

extension Int: SQLArgument {
  /// An integer.
  public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLArgument {
  /// An integer.
  public var sqlValue: SQLValue { .integer(self) }
}

extension Double: SQLArgument {
  /// A real.
  public var sqlValue: SQLValue { .real(self) }
}

extension String: SQLArgument {
  /// Text.
  public var sqlValue: SQLValue { .text(self) }
}

extension Optional: SQLArgument where Wrapped: SQLArgument {
  /// The wrapped value, or NULL.
  public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
