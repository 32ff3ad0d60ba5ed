import Foundation
import KANLib

extension SweepStore {
  /// Metrics of a trial: (epoch, name, exact value), by epoch then name.
  public func metrics(trialID: Int64) throws(StoreError) -> [(
    epoch: Int, name: String, value: Double
  )] {
    try read { connection in
      try connection.rows(
        "SELECT epoch, name, bits FROM metric WHERE trial_id = ? ORDER BY epoch, name", [trialID]
      ).map {
        (Int(try $0.get("epoch") as Int64), try $0.get("name") as String, try $0.bits("bits"))
      }
    }
  }

  /// The checkpoint of a trial: path, SHA-256 and size.
  public func checkpoint(trialID: Int64) throws(StoreError) -> (
    path: String, sha256: String, bytes: Int
  )? {
    try read { connection in
      try connection.row(
        "SELECT path, sha256, bytes FROM artifact WHERE trial_id = ? AND kind = 'checkpoint'",
        [trialID]
      ).map {
        (
          try $0.get("path") as String, try $0.get("sha256") as String,
          Int(try $0.get("bytes") as Int64)
        )
      }
    }
  }

  /// The recorded environment of a trial.
  public func environment(trialID: Int64) throws(StoreError) -> TrialEnvironment? {
    try read { connection in
      try connection.row("SELECT * FROM environment WHERE trial_id = ?", [trialID]).map { row in
        TrialEnvironment(
          toolVersion: try row.get("tool_version") as String,
          gitCommit: try row.get("git_commit") as String?,
          openBLASCore: try row.get("openblas_core") as String,
          blasThreads: Int(try row.get("blas_threads") as Int64),
          cpuModel: try row.get("cpu_model") as String,
          host: try row.get("host") as String, operatingSystem: try row.get("os") as String,
          // Absent in a read-only store made before schema v4.
          dataDirectory: (try? row.get("data_directory") as String?) ?? nil)
      }
    }
  }

  /// Every metric, checkpoint hash and distinct environment line of a sweep, read in one
  /// snapshot (a report's bulk load: metrics stream row by row with their names interned).
  public func reportRows(sweepID: Int64) throws(StoreError) -> SweepReportRows {
    try read { connection in
      var metrics: [(trialID: Int64, epoch: Int, name: String, value: Double)] = []
      var names: [String: String] = [:]
      try connection.forEachRow(
        """
        SELECT m.trial_id, m.epoch, m.name, m.bits FROM metric m JOIN trial t ON t.id = m.trial_id
        WHERE t.sweep_id = ?
        """, [sweepID]
      ) { row in
        let raw = try row.get(2) as String
        let name = names[raw] ?? raw
        names[raw] = name
        metrics.append(
          (
            try row.get(0) as Int64, Int(try row.get(1) as Int64), name,
            Double(bitPattern: UInt64(bitPattern: try row.get(3) as Int64))
          ))
      }
      let checkpoints = try connection.rows(
        """
        SELECT a.trial_id, a.sha256, a.path FROM artifact a JOIN trial t ON t.id = a.trial_id
        WHERE t.sweep_id = ? AND a.kind = 'checkpoint'
        """, [sweepID]
      ).map {
        (
          trialID: try $0.get(0) as Int64, sha256: try $0.get(1) as String,
          path: try $0.get(2) as String
        )
      }
      let environments = try connection.rows(
        """
        SELECT DISTINCT 'kan-sweep ' || e.tool_version || ', OpenBLAS ' || e.openblas_core
          || ' × ' || e.blas_threads || ', ' || e.cpu_model || ', ' || e.host || ', ' || e.os
          || COALESCE(', git ' || substr(e.git_commit, 1, 10), '') AS line
        FROM environment e JOIN trial t ON t.id = e.trial_id WHERE t.sweep_id = ? ORDER BY 1
        """, [sweepID]
      ).map { try $0.get(0) as String }
      let runs = try connection.rows(
        "SELECT e.* FROM environment e JOIN trial t ON t.id = e.trial_id WHERE t.sweep_id = ?",
        [sweepID]
      ).map { row in
        (
          trialID: try row.get("trial_id") as Int64,
          blasThreads: Int(try row.get("blas_threads") as Int64),
          dataDirectory: (try? row.get("data_directory") as String?) ?? nil
        )
      }
      return SweepReportRows(
        metrics: metrics, checkpoints: checkpoints, environments: environments, runs: runs)
    }
  }
}

/// Bulk rows of one sweep for a report.
public struct SweepReportRows: Sendable {
  /// (trial id, epoch, metric name, exact value).
  public var metrics: [(trialID: Int64, epoch: Int, name: String, value: Double)]
  /// (trial id, checkpoint SHA-256, checkpoint path).
  public var checkpoints: [(trialID: Int64, sha256: String, path: String)]
  /// One line per distinct environment.
  public var environments: [String]
  /// (trial id, BLAS threads, `--data-dir`) of each trial that recorded its environment.
  public var runs: [(trialID: Int64, blasThreads: Int, dataDirectory: String?)] = []
}

extension SweepStore {
  /// A trial's history: every failure, requeue and retry, oldest first (empty in a read-only
  /// store made before schema v2).
  public func events(trialID: Int64) throws(StoreError) -> [TrialEvent] {
    try read { connection in
      guard try Self.hasHistory(connection) else { return [] }
      return try connection.rows(
        "SELECT attempt, at, state, message FROM trial_event WHERE trial_id = ? ORDER BY at, attempt",
        [trialID]
      ).map { row in
        TrialEvent(
          attempt: try row.get("attempt"), at: try row.get("at"),
          state: TrialState(rawValue: try row.get("state")) ?? .failed,
          message: try row.get("message"))
      }
    }
  }

  /// Whether the store has schema v2's `trial_event` table.
  static func hasHistory(_ connection: any SQLConnection) throws -> Bool {
    let sql =
      connection.dialect.name == SQLDialect.sqlite.name
      ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'trial_event'"
      : "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'trial_event'"
    return (try connection.row(sql)?.get("n") as Int? ?? 0) > 0
  }
}

/// One entry of a trial's history.
public struct TrialEvent: Sendable, Equatable {
  /// The attempt it happened in.
  public let attempt: Int
  /// When (Unix seconds, database clock).
  public let at: Double
  /// The state the trial entered.
  public let state: TrialState
  /// Why.
  public let message: String
}

extension SweepStore {
  /// The values of metric `name` at `epoch` of every trial of the sweep but `excluding`, with
  /// each trial's dataset (for early termination, which compares trials of one dataset).
  public func metricValues(sweepID: Int64, epoch: Int, name: String, excluding: Int64)
    throws(StoreError) -> [(dataset: DatasetName, value: Double)]
  {
    try read { connection in
      var datasets: [String: DatasetName] = [:]
      return try connection.rows(
        """
        SELECT t.configuration, m.bits FROM metric m JOIN trial t ON t.id = m.trial_id
        WHERE t.sweep_id = ? AND m.epoch = ? AND m.name = ? AND m.trial_id <> ?
        """, [sweepID, epoch, name, excluding]
      ).compactMap { row in
        let json: String = try row.get("configuration")
        let dataset =
          datasets[json]
          ?? (try? JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8)))?.dataset
        guard let dataset else { return nil }
        datasets[json] = dataset
        return (dataset, try row.bits("bits"))
      }
    }
  }
}
