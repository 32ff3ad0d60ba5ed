import Foundation
import GRDB

/// A SQLite file through GRDB: WAL mode, a busy handler, statements cached per connection, and
/// write transactions that take the lock at their start, so many worker processes share one file
/// without "database is locked".
public final class SQLiteDatabase: SQLDatabase {
  /// SQLite.
  public let dialect = SQLDialect.sqlite
  /// The file.
  public let location: String
  let pool: DatabasePool
  let readOnly: Bool

  /// Opens the file at `path` (creating it and its folder unless `readOnly`).
  public init(path: String, readOnly: Bool) throws {
    location = path
    self.readOnly = readOnly
    var configuration = Configuration()
    configuration.busyMode = .callback(Self.waitWhileBusy)
    configuration.readonly = readOnly
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA foreign_keys = ON")
      if !readOnly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    }
    if !readOnly {
      let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    pool = try DatabasePool(path: path, configuration: configuration)
  }

  /// SQLite's busy handler: retry for up to ~30 s, first every 50 µs for ~10 ms, then every
  /// millisecond. (SQLite's own `busy_timeout` sleeps 1, 2, 5, 10 … ms, so two workers that
  /// collide on a 0.1 ms transaction would lose milliseconds per trial; see BENCHMARKS.md.)
  static let waitWhileBusy: Database.BusyCallback = { tries in
    if tries < 200 {
      usleep(50)
      return true
    }
    guard tries < 200 + 30_000 else { return false }
    usleep(1_000)
    return true
  }

  /// One IMMEDIATE write transaction (GRDB's pool writer).
  public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try pool.write { db in try body(Connection(db: db)) }
  }

  /// A snapshot read.
  public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try pool.read { db in try body(Connection(db: db)) }
  }

  /// GRDB's migrator (its `grdb_migrations` table records the applied names).
  public func migrate(_ migrations: [SchemaMigration]) throws {
    var migrator = DatabaseMigrator()
    for migration in migrations {
      let statements = migration.statements(for: dialect)
      migrator.registerMigration(migration.name) { db in
        for statement in statements { try db.execute(sql: statement) }
      }
    }
    try migrator.migrate(pool)
  }

  /// A GRDB database handle as a ``SQLConnection``.
  struct Connection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func execute(_ sql: String, _ arguments: [any SQLArgument]) throws -> Int {
      try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
      return db.changesCount
    }

    func forEachRow(
      _ sql: String, _ arguments: [any SQLArgument], _ body: (SQLRow) throws -> Void
    ) throws {
      let statement = try db.cachedStatement(sql: sql)
      let columns = SQLRow.Columns(statement.columnNames)
      let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
      while let row = try cursor.next() {
        let values = Array(row.databaseValues).map { value -> SQLValue in
          switch value.storage {
          case .null: return .null
          case .int64(let integer): return .integer(integer)
          case .double(let real): return .real(real)
          case .string(let text): return .text(text)
          case .blob(let data): return .text(String(decoding: data, as: UTF8.self))
          }
        }
        try body(SQLRow(values: values, columns: columns))
      }
    }

    static func arguments(_ arguments: [any SQLArgument]) -> StatementArguments {
      StatementArguments(
        arguments.map { argument -> (any DatabaseValueConvertible)? in
          switch argument.sqlValue {
          case .null: return nil
          case .integer(let value): return value
          case .real(let value): return value
          case .text(let value): return value
          }
        })
    }
  }
}
