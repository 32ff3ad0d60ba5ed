import Foundation

extension SweepStore {
  /// Records the sweep and enqueues the trials it does not have yet, in one transaction.
  ///
  /// Trials are identified by their configuration hash: submitting the same file again adds
  /// nothing, and an edited file adds only its new trials (numbered after the existing ones).
  public func submit(_ file: ExperimentFile) throws -> SweepSubmission {
    let planned = try file.plannedTrials()
    let now = database.dialect.now
    return try write { connection -> SweepSubmission in
      try connection.execute(
        """
        INSERT INTO sweep (name, display_name, description, method, metric_name, metric_goal,
                           file_path, file_text, file_hash, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, \(now))
        ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name,
          description = excluded.description, method = excluded.method,
          metric_name = excluded.metric_name, metric_goal = excluded.metric_goal,
          file_path = excluded.file_path, file_text = excluded.file_text,
          file_hash = excluded.file_hash
        """,
        [
          file.name, file.displayName == file.name ? nil : file.displayName, file.description,
          file.method.rawValue, file.metricName, file.metricGoal, file.path, file.text,
          file.textHash,
        ])
      guard
        let sweepID = try connection.row("SELECT id FROM sweep WHERE name = ?", [file.name])?
          .get("id") as Int64?
      else { throw StoreError(path: location, message: "sweep \(file.name) vanished") }
      let added = try Self.insert(planned, sweepID: sweepID, connection)
      return SweepSubmission(sweepID: sweepID, added: added, planned: planned.count)
    }
  }

  /// Enqueues the trials of `sweepID` it does not have yet (by identity), numbered after the
  /// existing ones, in one transaction; returns how many were added.
  @discardableResult
  public func enqueue(_ trials: [PlannedTrial], sweepID: Int64) throws(StoreError) -> Int {
    try write { try Self.insert(trials, sweepID: sweepID, $0) }
  }

  static func insert(_ trials: [PlannedTrial], sweepID: Int64, _ connection: any SQLConnection)
    throws -> Int
  {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let existing = Set(
      try connection.rows("SELECT identity FROM trial WHERE sweep_id = ?", [sweepID]).map {
        try $0.get("identity") as String
      })
    var next =
      try connection.row(
        "SELECT COALESCE(MAX(number) + 1, 0) AS next FROM trial WHERE sweep_id = ?", [sweepID]
      )?.get("next") as Int64? ?? 0
    var added = 0
    for trial in trials where !existing.contains(trial.identity) {
      let parameters = String(
        decoding: try encoder.encode(trial.values.mapValues(\.description)), as: UTF8.self)
      try connection.execute(
        """
        INSERT INTO trial (sweep_id, number, identity, configuration, parameters, seed, state)
        VALUES (?, ?, ?, ?, ?, ?, 'queued')
        """,
        [
          sweepID, next, trial.identity, trial.canonicalJSON, parameters,
          Int64(bitPattern: trial.configuration.seed),
        ])
      next += 1
      added += 1
    }
    return added
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
