import Foundation

/// The store of sweeps, trials, metrics, checkpoints and environments: one implementation of
/// every operation over a ``SQLDatabase`` (a SQLite file for one machine, a PostgreSQL database
/// for many), in the manner of Optuna's single RDB storage.
///
/// Concretely: every write is one short transaction; a trial is claimed by one compare-and-set
/// transaction; every later write for a running trial is fenced by its claimant (host, pid,
/// attempt), so a worker whose trial was taken from it can no longer change it; timestamps come
/// from the database's clock; metrics keep their exact bits (NaN and ±inf included); the schema
/// lives only in ``SweepSchema``.
public final class SweepStore: Sendable {
  /// The backend.
  public let database: any SQLDatabase
  /// The folder holding `<sweep>/` output folders (checkpoints, logs).
  let outputRoot: URL

  /// The store's location as the user gave it (file path, or URL without its password).
  public var location: String { database.location }

  /// A store on `database`, migrated to the current schema unless `readOnly`.
  public init(database: any SQLDatabase, outputRoot: URL, readOnly: Bool = false)
    throws(StoreError)
  {
    self.database = database
    self.outputRoot = outputRoot
    if readOnly {
      do {
        _ = try database.read { try $0.rows("SELECT id FROM sweep LIMIT 1") }
      } catch {
        let detail = (error as? StoreError)?.message ?? Self.text(error)
        throw StoreError(
          path: database.location,
          message: detail.contains("no such table")
            ? "not a kan-sweep store (it has no sweep table); `sweep run FILE` creates one"
            : detail)
      }
    } else {
      do {
        try database.migrate(SweepSchema.migrations)
      } catch let error as StoreError {
        throw error
      } catch {
        throw StoreError(path: database.location, message: "cannot migrate: \(Self.text(error))")
      }
    }
  }

  /// The SQLite store at `path`: read-only, or for writing (creating the file and its folder
  /// when `create`); output folders go beside it.
  public convenience init(path: String, readOnly: Bool = false, create: Bool = true)
    throws(StoreError)
  {
    let database = try SQLiteDatabase(path: path, readOnly: readOnly, create: create)
    try self.init(
      database: database, outputRoot: URL(fileURLWithPath: path).deletingLastPathComponent(),
      readOnly: readOnly)
  }

  /// The PostgreSQL store at `url`; output folders go to `results/` in the working directory.
  public convenience init(postgresURL url: String) throws(StoreError) {
    let database: PostgresDatabase
    do {
      database = try PostgresDatabase(url: url)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: url, message: Self.text(error))
    }
    try self.init(database: database, outputRoot: URL(fileURLWithPath: "results"))
  }

  /// Opens the store at `location`: a `postgres://` or `postgresql://` URL, or a SQLite path
  /// (read-only, or for writing and created when `create`).
  public static func open(_ location: String, readOnly: Bool = false, create: Bool = true)
    throws(StoreError) -> SweepStore
  {
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
      return try SweepStore(postgresURL: location)
    }
    return try SweepStore(path: location, readOnly: readOnly, create: create)
  }

  /// The folder where a sweep's checkpoints and logs go: `<store folder>/<sweep>`. Names that
  /// could leave that folder (see ``SweepName``; e.g. stored by an older version) are refused.
  public func outputDirectory(sweep: String) throws(StoreError) -> String {
    try outputDirectory(sweeps: [sweep])
  }

  /// The folder for output about several sweeps: `<store folder>/<a>+<b>`.
  public func outputDirectory(sweeps: [String]) throws(StoreError) -> String {
    for name in sweeps {
      if let problem = SweepName.problem(name) {
        throw StoreError(path: location, message: "sweep name \(problem); rename the sweep")
      }
    }
    return outputRoot.appendingPathComponent(sweeps.joined(separator: "+")).path
  }

  /// Runs `body` in one write transaction, mapping errors to ``StoreError``.
  @discardableResult
  func write<T>(_ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
    do {
      return try database.write(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: location, message: Self.text(error))
    }
  }

  /// Runs `body` on a snapshot, mapping errors to ``StoreError``.
  func read<T>(_ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
    do {
      return try database.read(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(path: location, message: Self.text(error))
    }
  }

  /// An error's most useful text (postgres-nio's plain description hides the server's message).
  static func text(_ error: any Error) -> String {
    String(describing: type(of: error)).contains("PSQL") ? String(reflecting: error) : "\(error)"
  }
}

/// A store operation that failed, with the store's location.
public struct StoreError: Error, CustomStringConvertible {
  /// The database file or URL.
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
