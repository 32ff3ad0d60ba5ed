import Foundation
import GRDB

/// The SQLite store of sweeps, trials, metrics, artifacts and environments (GRDB).
///
/// Concretely: one file (default `results/sweeps.sqlite`) in WAL mode with a busy timeout, so
/// many worker processes share it without "database is locked"; every write is one short
/// IMMEDIATE transaction; timestamps come from the database clock
/// (`julianday('now')`, as Unix seconds); the schema lives only in ``migrator``.
public final class SweepStore: SweepStorage {
  /// The database file.
  public let path: String
  let pool: DatabasePool

  /// The database file.
  public var location: String { path }

  /// SQL for "now" in Unix seconds, from the database's clock.
  static let now = "((julianday('now') - 2440587.5) * 86400.0)"

  /// Opens (creating if needed) the store at `path` and migrates it.
  public init(path: String, readOnly: Bool = false) throws(StoreError) {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .callback(Self.waitWhileBusy)
    configuration.readonly = readOnly
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA foreign_keys = ON")
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
    do {
      if !readOnly {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      } else if !FileManager.default.fileExists(atPath: path) {
        throw StoreError(path: path, message: "no such database (run `sweep run FILE` first)")
      }
      pool = try DatabasePool(path: path, configuration: configuration)
      if !readOnly { try Self.migrator.migrate(pool) }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: path, message: "cannot open the database: \(error)")
    }
  }

  /// SQLite's busy handler: retry for up to ~30 s, first every 50 µs for ~10 ms, then every
  /// millisecond. (SQLite's own `busy_timeout` sleeps 1, 2, 5, 10 … ms, so two workers that
  /// collide on a 0.1 ms transaction lose milliseconds per trial.)
  static let waitWhileBusy: Database.BusyCallback = { tries in
    if tries < 200 {
      usleep(50)
      return true
    }
    guard tries < 200 + 30_000 else { return false }
    usleep(1_000)
    return true
  }

  /// Runs `body` in one IMMEDIATE write transaction, mapping errors to ``StoreError``.
  func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try pool.write(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: path, message: "\(error)")
    }
  }

  /// Runs `body` on a read-only snapshot.
  func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try pool.read(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: path, message: "\(error)")
    }
  }

  /// The folder beside the database where a sweep's checkpoints and logs go.
  public func outputDirectory(sweep: String) -> String {
    URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(sweep).path
  }
}

/// A store operation that failed, with the database path.
public struct StoreError: Error, CustomStringConvertible {
  /// The database file.
  public let path: String
  /// What went wrong.
  public let message: String

  /// Creates an error about the store at `path`.
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// `path: message`.
  public var description: String { "\(path): \(message)" }
}
