import Foundation
import KANLib
import Logging
import PostgresNIO

/// The PostgreSQL store: the same schema and behaviour as ``SweepStore``, shared by workers on
/// many machines (postgres-nio).
///
/// Concretely: one connection per process; every operation is one short transaction; trials are
/// claimed with `SELECT … FOR UPDATE SKIP LOCKED`; timestamps come from the database clock
/// (`clock_timestamp()`), so heartbeats compare across hosts; the schema lives in named
/// migrations recorded in `kan_sweep_migrations` and applied under an advisory lock.
/// URL: `postgres://user[:password]@host[:port]/database` (TLS off).
public final class PostgresSweepStore: SweepStorage, @unchecked Sendable {
  /// The URL without its password.
  public let location: String
  private let connection: PostgresConnection
  private let logger = Logger(label: "kan-sweep.postgres")
  private let lock = NSLock()

  static let now = "extract(epoch from clock_timestamp())"

  /// Connects to `url` and migrates the schema.
  public init(url: String) throws(StoreError) {
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
    try migrate()
  }

  deinit {
    try? connection.close().wait()
  }

  // MARK: - Plumbing

  /// Runs a query and waits for its rows. Blocking on postgres-nio's event loop (not on Swift's
  /// cooperative threads) keeps this usable from any thread, async test runners included.
  @discardableResult
  static func fetch(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger)
    throws
    -> [PostgresRow]
  {
    try connection.query(query, logger: logger).wait().rows
  }

  /// Runs `body` in one transaction (serialized per process).
  func transaction<T>(_ body: (PostgresConnection, Logger) throws -> T) throws(StoreError) -> T {
    lock.lock()
    defer { lock.unlock() }
    do {
      _ = try Self.fetch(connection, "BEGIN", logger)
      do {
        let value = try body(connection, logger)
        _ = try Self.fetch(connection, "COMMIT", logger)
        return value
      } catch {
        _ = try? Self.fetch(connection, "ROLLBACK", logger)
        throw error
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: location, message: String(reflecting: error))
    }
  }

  func rows(_ query: PostgresQuery) throws(StoreError) -> [PostgresRandomAccessRow] {
    try transaction { connection, logger in
      try Self.fetch(connection, query, logger).map { $0.makeRandomAccess() }
    }
  }

  /// The folder for a sweep's checkpoints and logs: `results/<sweep>` under the working directory.
  public func outputDirectory(sweep: String) -> String {
    URL(fileURLWithPath: "results").appendingPathComponent(sweep).path
  }
}
