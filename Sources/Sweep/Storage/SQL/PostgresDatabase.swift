import Foundation
import Logging
import PostgresNIO

/// A PostgreSQL database through postgres-nio: one connection per process, transactions
/// serialized per process, `?` placeholders rewritten to `$1, $2, …`.
///
/// URL: `postgres://user[:password]@host[:port]/database` (TLS off).
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
  /// PostgreSQL.
  public let dialect = SQLDialect.postgres
  /// The URL without its password.
  public let location: String
  private let connection: PostgresConnection
  private let logger = Logger(label: "kan-sweep.postgres")
  /// Serializes transactions on the one connection (the store is shared by a worker's threads).
  private let lock = NSLock()

  /// Connects to `url`.
  public init(url: String) throws {
    guard let components = URLComponents(string: url), let host = components.host,
      let user = components.user, components.path.count > 1
    else {
      throw StoreError(
        path: url, message: "expected postgres://user[:password]@host[:port]/database")
    }
    let database = String(components.path.dropFirst())
    var shown = components
    shown.password = components.password == nil ? nil : "***"
    location = shown.string ?? "postgres://\(host)/\(database)"
    let configuration = PostgresConnection.Configuration(
      host: host, port: components.port ?? 5432, username: user, password: components.password,
      database: database, tls: .disable)
    do {
      connection = try PostgresConnection.connect(
        on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1,
        logger: logger
      ).wait()
    } catch {
      throw StoreError(path: location, message: "cannot connect: \(String(reflecting: error))")
    }
  }

  deinit {
    try? connection.close().wait()
  }

  /// `BEGIN` … `COMMIT` (READ COMMITTED; every write of the store is fenced in its `WHERE`).
  public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try transaction(body)
  }

  /// `BEGIN` … `COMMIT`.
  public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try transaction(body)
  }

  private func transaction<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    let session = Connection(connection: connection, logger: logger)
    try session.execute("BEGIN")
    do {
      let value = try body(session)
      try session.execute("COMMIT")
      return value
    } catch {
      _ = try? session.execute("ROLLBACK")
      throw error
    }
  }

  /// Applies the migrations not recorded in `kan_sweep_migrations`, in one transaction under an
  /// advisory lock (workers starting together do not race).
  public func migrate(_ migrations: [SchemaMigration]) throws {
    try write { connection in
      try connection.execute("SELECT pg_advisory_xact_lock(7412001)")
      try connection.execute(
        "CREATE TABLE IF NOT EXISTS kan_sweep_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION)"
      )
      let applied = try connection.rows("SELECT name FROM kan_sweep_migrations").map {
        try $0.get("name") as String
      }
      for migration in migrations where !applied.contains(migration.name) {
        for statement in migration.statements(for: dialect) { try connection.execute(statement) }
        try connection.execute(
          "INSERT INTO kan_sweep_migrations (name, applied_at) VALUES (?, \(dialect.now))",
          [migration.name])
      }
    }
  }

  /// A postgres-nio connection as a ``SQLConnection``. Blocking on postgres-nio's event loop
  /// (not on Swift's cooperative threads) keeps it usable from any thread.
  struct Connection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, _ arguments: [any SQLArgument]) throws -> Int {
      try connection.query(Self.query(sql, arguments), logger: logger).wait().metadata.rows ?? 0
    }

    func forEachRow(
      _ sql: String, _ arguments: [any SQLArgument], _ body: (SQLRow) throws -> Void
    ) throws {
      let result = try connection.query(Self.query(sql, arguments), logger: logger).wait()
      var columns: SQLRow.Columns?
      for row in result.rows {
        let cells = Array(row)
        let names = columns ?? SQLRow.Columns(cells.map(\.columnName))
        columns = names
        try body(SQLRow(values: try cells.map(Self.value), columns: names))
      }
    }

    /// The statement with `$n` placeholders and its bindings.
    static func query(_ sql: String, _ arguments: [any SQLArgument]) -> PostgresQuery {
      var text = ""
      var number = 0
      var quoted = false
      for character in sql {
        if character == "'" { quoted.toggle() }
        if character == "?" && !quoted {
          number += 1
          text += "$\(number)"
        } else {
          text.append(character)
        }
      }
      var bindings = PostgresBindings(capacity: arguments.count)
      for argument in arguments {
        switch argument.sqlValue {
        case .null: bindings.appendNull()
        case .integer(let value): bindings.append(value)
        case .real(let value): bindings.append(value)
        case .text(let value): bindings.append(value)
        }
      }
      return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
      guard cell.bytes != nil else { return .null }
      switch cell.dataType {
      case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
      case .float4, .float8: return .real(try cell.decode(Double.self))
      default: return .text(try cell.decode(String.self))
      }
    }
  }
}
