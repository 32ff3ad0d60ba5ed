import Foundation
import GRDB

extension SweepStore {
  /// Records the sweep and enqueues the trials it does not have yet, in one transaction.
  ///
  /// Trials are identified by their configuration hash: submitting the same file again adds
  /// nothing, and an edited file adds only its new trials (numbered after the existing ones).
  public func submit(_ file: ExperimentFile) throws(StoreError) -> SweepSubmission {
    let planned = file.plannedTrials()
    return try write { db in
      try db.execute(
        sql: """
          INSERT INTO sweep (name, description, method, metric_name, metric_goal, file_path,
                             file_text, file_hash, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(Self.now))
          ON CONFLICT(name) DO UPDATE SET description = excluded.description,
            method = excluded.method, metric_name = excluded.metric_name,
            metric_goal = excluded.metric_goal, file_path = excluded.file_path,
            file_text = excluded.file_text, file_hash = excluded.file_hash
          """,
        arguments: [
          file.name, file.description, file.method.rawValue, file.metricName, file.metricGoal,
          file.path, file.text, file.textHash,
        ])
      guard
        let sweepID = try Int64.fetchOne(
          db, sql: "SELECT id FROM sweep WHERE name = ?", arguments: [file.name])
      else { throw StoreError(path: path, message: "sweep \(file.name) vanished while submitting") }
      let existing = Set(
        try String.fetchAll(
          db, sql: "SELECT identity FROM trial WHERE sweep_id = ?", arguments: [sweepID]))
      var next =
        try Int.fetchOne(
          db, sql: "SELECT COALESCE(MAX(number) + 1, 0) FROM trial WHERE sweep_id = ?",
          arguments: [sweepID]) ?? 0
      var added = 0
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      for trial in planned where !existing.contains(trial.identity) {
        let values = trial.values.mapValues(\.description)
        let parameters = String(
          decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
        try db.execute(
          sql: """
            INSERT INTO trial (sweep_id, number, identity, configuration, parameters, seed, state)
            VALUES (?, ?, ?, ?, ?, ?, 'queued')
            """,
          arguments: [
            sweepID, next, trial.identity, trial.configuration.canonicalJSON, parameters,
            Int64(bitPattern: trial.configuration.seed),
          ])
        next += 1
        added += 1
      }
      return SweepSubmission(sweepID: sweepID, added: added, planned: planned.count)
    }
  }

  /// The sweep called `name`.
  public func sweep(named name: String) throws(StoreError) -> SweepRecord? {
    try read { db in
      try SweepRecord.fetchOne(db, sql: "SELECT * FROM sweep WHERE name = ?", arguments: [name])
    }
  }

  /// Every sweep, oldest first.
  public func sweeps() throws(StoreError) -> [SweepRecord] {
    try read { db in try SweepRecord.fetchAll(db, sql: "SELECT * FROM sweep ORDER BY id") }
  }

  /// The trials of a sweep by number.
  public func trials(sweepID: Int64) throws(StoreError) -> [TrialRecord] {
    try read { db in
      try TrialRecord.fetchAll(
        db, sql: "SELECT * FROM trial WHERE sweep_id = ? ORDER BY number", arguments: [sweepID])
    }
  }

  /// One trial by sweep and number.
  public func trial(sweepID: Int64, number: Int) throws(StoreError) -> TrialRecord? {
    try read { db in
      try TrialRecord.fetchOne(
        db, sql: "SELECT * FROM trial WHERE sweep_id = ? AND number = ?",
        arguments: [sweepID, number])
    }
  }

  /// Trial counts by state (every state present, zero when none).
  public func counts(sweepID: Int64) throws(StoreError) -> [TrialState: Int] {
    try read { db in
      var result = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
      for row in try Row.fetchAll(
        db, sql: "SELECT state, COUNT(*) AS n FROM trial WHERE sweep_id = ? GROUP BY state",
        arguments: [sweepID])
      {
        if let state = TrialState(rawValue: row["state"]) { result[state] = row["n"] }
      }
      return result
    }
  }
}
