import Foundation
import GRDB

/// A SQLite file through GRDB: WAL mode, a busy handler, statements cached per connection, and
/// write transactions that take the lock at their start, so many worker processes share one file
/// without "database is locked".
///
/// Read-only opens (`status`, `show`, `report`, `rerun`) use one read-only connection and write
/// nothing, so they work on a file (and folder) the user cannot write, as another user; when
/// SQLite cannot create the WAL index there, the file is opened as immutable.
public final class SQLiteDatabase: SQLDatabase {
  /// SQLite.
  public let dialect = SQLDialect.sqlite
  /// The file.
  public let location: String
  private let writer: DatabasePool?
  private let reader: any DatabaseReader

  /// Opens the file at `path`: read-only, or for writing (creating it when `create`).
  public init(path: String, readOnly: Bool, create: Bool) throws(StoreError) {
    location = path
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    if isDirectory.boolValue {
      throw StoreError(
        path: path, message: "is a folder; --db takes a file such as results/sweeps.sqlite")
    }
    if !exists && (readOnly || !create) {
      throw StoreError(path: path, message: "no such store (`sweep run FILE` creates one)")
    }
    var configuration = Configuration()
    configuration.busyMode = .callback(Self.waitWhileBusy)
    configuration.readonly = readOnly
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA foreign_keys = ON")
      if !readOnly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    }
    do {
      if readOnly {
        writer = nil
        reader = try Self.openReadOnly(path: path, configuration: configuration)
      } else {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: configuration)
        writer = pool
        reader = pool
      }
    } catch {
      throw Self.storeError(error, path: path)
    }
  }

  /// One read-only connection; as immutable (`file:…?immutable=1`) when SQLite cannot open the
  /// WAL index beside a read-only file.
  private static func openReadOnly(path: String, configuration: Configuration) throws
    -> DatabaseQueue
  {
    func probe(_ queue: DatabaseQueue) throws -> DatabaseQueue {
      try queue.read { try $0.execute(sql: "SELECT COUNT(*) FROM sqlite_master") }
      return queue
    }
    do {
      return try probe(DatabaseQueue(path: path, configuration: configuration))
    } catch let error as DatabaseError
      where [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode)
    {
      let absolute = URL(fileURLWithPath: path).standardized.path
      let escaped =
        absolute.addingPercentEncoding(
          withAllowedCharacters: CharacterSet.urlPathAllowed.subtracting(
            CharacterSet(charactersIn: "?#%")))
        ?? absolute
      return try probe(
        DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: configuration))
    }
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
    guard let writer else {
      throw StoreError(path: location, message: "opened read-only; this command cannot write")
    }
    do {
      return try writer.write { db in try body(Connection(db: db)) }
    } catch {
      throw Self.storeError(error, path: location)
    }
  }

  /// A snapshot read.
  public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    do {
      return try reader.read { db in try body(Connection(db: db)) }
    } catch {
      throw Self.storeError(error, path: location)
    }
  }

  /// GRDB's migrator (its `grdb_migrations` table records the applied names). A SQLite file that
  /// already holds other tables and none of the store's is refused rather than changed.
  public func migrate(_ migrations: [SchemaMigration]) throws {
    guard let writer else {
      throw StoreError(path: location, message: "opened read-only; cannot migrate")
    }
    let tables = try read { connection in
      try connection.rows("SELECT name FROM sqlite_master WHERE type = 'table'").map {
        try $0.get("name") as String
      }
    }
    if !tables.isEmpty && !tables.contains("sweep") {
      throw StoreError(
        path: location,
        message:
          "not a kan-sweep store (it holds other tables: \(tables.prefix(5).joined(separator: ", "))); "
          + "use another --db")
    }
    var migrator = DatabaseMigrator()
    for migration in migrations {
      let statements = migration.statements(for: dialect)
      migrator.registerMigration(migration.name) { db in
        for statement in statements { try db.execute(sql: statement) }
      }
    }
    do {
      try migrator.migrate(writer)
    } catch {
      throw Self.storeError(error, path: location)
    }
  }

  /// SQLite's errors as messages that say what to do: a damaged file, a file that is not a
  /// database, a missing permission.
  static func storeError(_ error: any Error, path: String) -> StoreError {
    if let error = error as? StoreError { return error }
    guard let error = error as? DatabaseError else {
      return StoreError(path: path, message: "\(error)")
    }
    let detail = error.message ?? "\(error)"
    switch error.resultCode {
    case .SQLITE_CORRUPT:
      return StoreError(
        path: path,
        message:
          "the store is damaged (SQLite: \(detail)); restore it from a backup, or copy what is "
          + "readable with `sqlite3 \(path) .recover`")
    case .SQLITE_NOTADB:
      return StoreError(path: path, message: "not a kan-sweep store (not a SQLite database)")
    case .SQLITE_CANTOPEN:
      return StoreError(path: path, message: "cannot open the file (SQLite: \(detail))")
    case .SQLITE_READONLY, .SQLITE_PERM:
      return StoreError(
        path: path, message: "cannot write the store (SQLite: \(detail)); check its permissions")
    default:
      return StoreError(path: path, message: "SQLite: \(detail)")
    }
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
