import Foundation

/// A SQL backend of ``SweepStore``: transactions over one connection kind, the dialect, and
/// migrations. Store operations are written once against this protocol; SQLite (GRDB) and
/// PostgreSQL (postgres-nio) implement it.
public protocol SQLDatabase: AnyObject, Sendable {
  /// What differs in the SQL text between backends.
  var dialect: SQLDialect { get }
  /// The database as the user named it (file path, or URL without its password).
  var location: String { get }
  /// Runs `body` in one write transaction that takes the write lock at its start (SQLite:
  /// `BEGIN IMMEDIATE`); commits when it returns, rolls back when it throws.
  func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T
  /// Runs `body` on a consistent snapshot.
  func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T
  /// Applies the migrations not yet applied, in order, each once.
  func migrate(_ migrations: [SchemaMigration]) throws
}

/// Statements inside one transaction. SQL uses `?` placeholders on every backend.
public protocol SQLConnection {
  /// The backend's dialect.
  var dialect: SQLDialect { get }
  /// Runs a statement; returns the number of rows it changed.
  @discardableResult
  func execute(_ sql: String, _ arguments: [any SQLArgument]) throws -> Int
  /// Runs a query and calls `body` with each row.
  func forEachRow(_ sql: String, _ arguments: [any SQLArgument], _ body: (SQLRow) throws -> Void)
    throws
}

extension SQLConnection {
  /// Runs a statement without arguments.
  @discardableResult
  func execute(_ sql: String) throws -> Int { try execute(sql, []) }

  /// Every row of a query.
  func rows(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> [SQLRow] {
    var rows: [SQLRow] = []
    try forEachRow(sql, arguments) { rows.append($0) }
    return rows
  }

  /// The first row of a query, if any.
  func row(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> SQLRow? {
    try rows(sql, arguments).first
  }

  /// Runs `INSERT …` with `RETURNING id` appended; returns the new row's id.
  func insert(_ sql: String, _ arguments: [any SQLArgument]) throws -> Int64 {
    guard let id = try row(sql + " RETURNING id", arguments)?.get("id") as Int64? else {
      throw SQLRowError(column: "id", message: "the insert returned no row")
    }
    return id
  }
}

/// The few places where SQLite's and PostgreSQL's SQL differ for the store. Placeholders (`?`
/// against PostgreSQL's `$n`) are rewritten by the PostgreSQL connection; upserts
/// (`INSERT … ON CONFLICT … DO UPDATE SET x = excluded.x`) and `RETURNING` are spelled alike by
/// both; exact doubles are stored as bit patterns in integer columns on both.
public struct SQLDialect: Sendable {
  /// The backend's name.
  public let name: String
  /// An expression for the current time in Unix seconds from the database server's clock, so
  /// heartbeats compare across hosts.
  public let now: String
  /// Appended to the claim's `SELECT`: a row lock that concurrent claimers skip (SQLite needs
  /// none: its write transaction already excludes other writers).
  public let claimLock: String
  /// Schema types: an auto-incrementing 64-bit primary key, a 64-bit integer, a double.
  let keyType: String
  let integerType: String
  let realType: String

  /// SQLite 3.35 or later (through GRDB).
  public static let sqlite = SQLDialect(
    name: "SQLite", now: "((julianday('now') - 2440587.5) * 86400.0)", claimLock: "",
    keyType: "INTEGER PRIMARY KEY AUTOINCREMENT", integerType: "INTEGER", realType: "REAL")

  /// PostgreSQL 12 or later (through postgres-nio).
  public static let postgres = SQLDialect(
    name: "PostgreSQL", now: "extract(epoch from clock_timestamp())::DOUBLE PRECISION",
    claimLock: " FOR UPDATE SKIP LOCKED",
    keyType: "BIGSERIAL PRIMARY KEY", integerType: "BIGINT", realType: "DOUBLE PRECISION")

  /// `template` with `{key}`, `{integer}` and `{real}` replaced by this dialect's types.
  func render(_ template: String) -> String {
    template.replacingOccurrences(of: "{key}", with: keyType)
      .replacingOccurrences(of: "{integer}", with: integerType)
      .replacingOccurrences(of: "{real}", with: realType)
  }
}
