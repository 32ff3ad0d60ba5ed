import Foundation
import KANLib
import PostgresNIO

extension PostgresSweepStore {
  static func sweepRecord(_ row: PostgresRandomAccessRow) throws -> SweepRecord {
    SweepRecord(
      id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self),
      description: try row["description"].decode(String.self),
      method: try row["method"].decode(String.self),
      metricName: try row["metric_name"].decode(String?.self),
      metricGoal: try row["metric_goal"].decode(String?.self),
      filePath: try row["file_path"].decode(String.self),
      fileText: try row["file_text"].decode(String.self),
      fileHash: try row["file_hash"].decode(String.self),
      createdAt: try row["created_at"].decode(Double.self))
  }

  static func trialRecord(_ row: PostgresRandomAccessRow) throws -> TrialRecord {
    TrialRecord(
      id: try row["id"].decode(Int64.self), sweepID: try row["sweep_id"].decode(Int64.self),
      number: Int(try row["number"].decode(Int64.self)),
      identity: try row["identity"].decode(String.self),
      configuration: try row["configuration"].decode(String.self),
      parameters: try row["parameters"].decode(String.self),
      seed: try row["seed"].decode(Int64.self),
      state: TrialState(rawValue: try row["state"].decode(String.self)) ?? .failed,
      attempt: Int(try row["attempt"].decode(Int64.self)),
      workerHost: try row["worker_host"].decode(String?.self),
      workerPID: try row["worker_pid"].decode(Int64?.self).map(Int.init),
      heartbeatAt: try row["heartbeat_at"].decode(Double?.self),
      startedAt: try row["started_at"].decode(Double?.self),
      finishedAt: try row["finished_at"].decode(Double?.self),
      error: try row["error"].decode(String?.self),
      parameterCount: try row["parameter_count"].decode(Int64?.self).map(Int.init),
      trainingSeconds: try row["training_seconds"].decode(Double?.self))
  }

  /// Records the sweep and enqueues its new trials (see ``SweepStorage``).
  public func submit(_ file: ExperimentFile) throws(StoreError) -> SweepSubmission {
    let planned = file.plannedTrials()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let prepared = planned.map { trial in
      (
        trial.identity, trial.configuration.canonicalJSON,
        String(
          decoding: (try? encoder.encode(trial.values.mapValues(\.description))) ?? Data("{}".utf8),
          as: UTF8.self),
        Int64(bitPattern: trial.configuration.seed)
      )
    }
    return try transaction { connection, logger in
      try Self.fetch(
        connection,
        """
        INSERT INTO sweep (name, description, method, metric_name, metric_goal, file_path, file_text, file_hash,
                           created_at)
        VALUES (\(file.name), \(file.description), \(file.method.rawValue), \(file.metricName), \(file.metricGoal),
                \(file.path), \(file.text), \(file.textHash), \(unescaped: Self.now))
        ON CONFLICT (name) DO UPDATE SET description = excluded.description, method = excluded.method,
          metric_name = excluded.metric_name, metric_goal = excluded.metric_goal, file_path = excluded.file_path,
          file_text = excluded.file_text, file_hash = excluded.file_hash
        """, logger)
      let sweepID =
        try Self.fetch(
          connection,
          "SELECT id FROM sweep WHERE name = \(file.name) FOR UPDATE", logger
        ).first?.makeRandomAccess()["id"].decode(Int64.self) ?? 0
      let existing = Set(
        try Self.fetch(
          connection,
          "SELECT identity FROM trial WHERE sweep_id = \(sweepID)", logger
        ).map { try $0.makeRandomAccess()["identity"].decode(String.self) })
      var next =
        try Self.fetch(
          connection,
          "SELECT COALESCE(MAX(number) + 1, 0)::BIGINT AS next FROM trial WHERE sweep_id = \(sweepID)",
          logger
        ).first?.makeRandomAccess()["next"].decode(Int64.self) ?? 0
      var added = 0
      for (identity, configuration, parameters, seed) in prepared where !existing.contains(identity)
      {
        try Self.fetch(
          connection,
          """
          INSERT INTO trial (sweep_id, number, identity, configuration, parameters, seed, state)
          VALUES (\(sweepID), \(next), \(identity), \(configuration), \(parameters), \(seed), 'queued')
          """, logger)
        next += 1
        added += 1
      }
      return SweepSubmission(sweepID: sweepID, added: added, planned: prepared.count)
    }
  }

  /// The sweep called `name`.
  public func sweep(named name: String) throws(StoreError) -> SweepRecord? {
    try rows("SELECT * FROM sweep WHERE name = \(name)").first.map { row throws(StoreError) in
      try decoding { try Self.sweepRecord(row) }
    }
  }

  /// Every sweep, oldest first.
  public func sweeps() throws(StoreError) -> [SweepRecord] {
    let found = try rows("SELECT * FROM sweep ORDER BY id")
    return try decoding { try found.map(Self.sweepRecord) }
  }

  /// The trials of a sweep by number.
  public func trials(sweepID: Int64) throws(StoreError) -> [TrialRecord] {
    let found = try rows("SELECT * FROM trial WHERE sweep_id = \(sweepID) ORDER BY number")
    return try decoding { try found.map(Self.trialRecord) }
  }

  /// One trial by sweep and number.
  public func trial(sweepID: Int64, number: Int) throws(StoreError) -> TrialRecord? {
    let found = try rows("SELECT * FROM trial WHERE sweep_id = \(sweepID) AND number = \(number)")
    return try decoding { try found.first.map(Self.trialRecord) }
  }

  /// Trial counts by state.
  public func counts(sweepID: Int64) throws(StoreError) -> [TrialState: Int] {
    var result = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
    let found = try rows(
      "SELECT state, COUNT(*)::BIGINT AS n FROM trial WHERE sweep_id = \(sweepID) GROUP BY state")
    try decoding {
      for row in found {
        if let state = TrialState(rawValue: try row["state"].decode(String.self)) {
          result[state] = Int(try row["n"].decode(Int64.self))
        }
      }
    }
    return result
  }

  func decoding<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do {
      return try body()
    } catch {
      throw StoreError(path: location, message: "unexpected row: \(String(reflecting: error))")
    }
  }
}
