import Foundation

extension SweepStore {
  /// Records the sweep and enqueues the trials it does not have yet, in one transaction.
  ///
  /// Trials are identified by their configuration hash: submitting the same file again adds
  /// nothing, and an edited file adds only its new trials (numbered after the existing ones).
  public func submit(_ file: ExperimentFile) throws -> SweepSubmission {
    let planned = try file.plannedTrials()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let rows = try planned.map { trial in
      (
        trial.identity, trial.canonicalJSON,
        String(decoding: try encoder.encode(trial.values.mapValues(\.description)), as: UTF8.self),
        Int64(bitPattern: trial.configuration.seed)
      )
    }
    let now = database.dialect.now
    return try write { connection -> SweepSubmission in
      try connection.execute(
        """
        INSERT INTO sweep (name, description, method, metric_name, metric_goal, file_path,
                           file_text, file_hash, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(now))
        ON CONFLICT (name) DO UPDATE SET description = excluded.description,
          method = excluded.method, metric_name = excluded.metric_name,
          metric_goal = excluded.metric_goal, file_path = excluded.file_path,
          file_text = excluded.file_text, file_hash = excluded.file_hash
        """,
        [
          file.name, file.description, file.method.rawValue, file.metricName, file.metricGoal,
          file.path, file.text, file.textHash,
        ])
      guard
        let sweepID = try connection.row("SELECT id FROM sweep WHERE name = ?", [file.name])?
          .get("id") as Int64?
      else { throw StoreError(path: location, message: "sweep \(file.name) vanished") }
      let existing = Set(
        try connection.rows("SELECT identity FROM trial WHERE sweep_id = ?", [sweepID]).map {
          try $0.get("identity") as String
        })
      var next =
        try connection.row(
          "SELECT COALESCE(MAX(number) + 1, 0) AS next FROM trial WHERE sweep_id = ?", [sweepID]
        )?.get("next") as Int64? ?? 0
      var added = 0
      for (identity, configuration, parameters, seed) in rows where !existing.contains(identity) {
        try connection.execute(
          """
          INSERT INTO trial (sweep_id, number, identity, configuration, parameters, seed, state)
          VALUES (?, ?, ?, ?, ?, ?, 'queued')
          """, [sweepID, next, identity, configuration, parameters, seed])
        next += 1
        added += 1
      }
      return SweepSubmission(sweepID: sweepID, added: added, planned: planned.count)
    }
  }

  /// The sweep called `name`.
  public func sweep(named name: String) throws(StoreError) -> SweepRecord? {
    try read { try $0.row("SELECT * FROM sweep WHERE name = ?", [name]).map(SweepRecord.init) }
  }

  /// Every sweep, oldest first.
  public func sweeps() throws(StoreError) -> [SweepRecord] {
    try read { try $0.rows("SELECT * FROM sweep ORDER BY id").map(SweepRecord.init) }
  }

  /// The name of the sweep with row id `id`.
  public func sweepName(id: Int64) throws(StoreError) -> String? {
    try read { try $0.row("SELECT name FROM sweep WHERE id = ?", [id])?.get("name") as String? }
  }

  /// The trials of a sweep by number.
  public func trials(sweepID: Int64) throws(StoreError) -> [TrialRecord] {
    try read {
      try $0.rows("SELECT * FROM trial WHERE sweep_id = ? ORDER BY number", [sweepID]).map(
        TrialRecord.init)
    }
  }

  /// One trial by sweep and number.
  public func trial(sweepID: Int64, number: Int) throws(StoreError) -> TrialRecord? {
    try read {
      try $0.row("SELECT * FROM trial WHERE sweep_id = ? AND number = ?", [sweepID, number]).map(
        TrialRecord.init)
    }
  }

  /// Trial counts by state (every state present, zero when none).
  public func counts(sweepID: Int64) throws(StoreError) -> [TrialState: Int] {
    try read { connection in
      var result = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
      for row in try connection.rows(
        "SELECT state, COUNT(*) AS n FROM trial WHERE sweep_id = ? GROUP BY state", [sweepID])
      {
        if let state = TrialState(rawValue: try row.get("state") as String) {
          result[state] = Int(try row.get("n") as Int64)
        }
      }
      return result
    }
  }
}

/// The outcome of ``SweepStore/submit(_:)``.
public struct SweepSubmission: Sendable {
  /// The sweep's row id.
  public let sweepID: Int64
  /// Trials added by this submission.
  public let added: Int
  /// Trials the file asks for.
  public let planned: Int
}
