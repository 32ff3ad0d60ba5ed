import Foundation
import KANLib

extension SweepStore {
  /// The `WHERE` clause that fences a write to a running trial by its claimant; its arguments
  /// come from ``claimant(_:_:)``.
  private static let owned =
    "id = ? AND state = 'running' AND worker_host = ? AND worker_pid = ? AND attempt = ?"

  private static func claimant(_ trial: TrialRecord, _ worker: WorkerIdentity) -> [any SQLArgument]
  {
    [trial.id, worker.host, worker.pid, trial.attempt]
  }

  /// Claims the lowest-numbered queued trial (of `sweepID`, or of any sweep) for `worker` in one
  /// transaction, clears what an earlier attempt left and records the `environment` it will run
  /// in. Returns nil when nothing is queued.
  public func claim(
    sweepID: Int64?, worker: WorkerIdentity, environment: TrialEnvironment? = nil
  ) throws(StoreError) -> TrialRecord? {
    let (now, lock) = (database.dialect.now, database.dialect.claimLock)
    return try write { connection in
      let filter = sweepID == nil ? "" : "AND sweep_id = ?"
      let arguments: [any SQLArgument] = sweepID.map { [$0] } ?? []
      guard
        let id = try connection.row(
          "SELECT id FROM trial WHERE state = 'queued' \(filter) ORDER BY sweep_id, number LIMIT 1\(lock)",
          arguments)?.get("id") as Int64?
      else { return nil }
      try connection.execute(
        """
        UPDATE trial SET state = 'running', attempt = attempt + 1, worker_host = ?, worker_pid = ?,
          heartbeat_at = \(now), started_at = \(now), finished_at = NULL
        WHERE id = ? AND state = 'queued'
        """, [worker.host, worker.pid, id])
      for table in ["metric", "artifact", "environment"] {
        try connection.execute("DELETE FROM \(table) WHERE trial_id = ?", [id])
      }
      if let environment { try Self.upsertEnvironment(environment, trialID: id, connection) }
      return try connection.row("SELECT * FROM trial WHERE id = ?", [id]).map(TrialRecord.init)
    }
  }

  /// Records a sign of life; false when the trial is no longer this worker's.
  @discardableResult
  public func heartbeat(_ trial: TrialRecord, worker: WorkerIdentity) throws(StoreError) -> Bool {
    try fenced(trial, worker) { _ in }
  }

  /// One transaction that heartbeats the trial and runs `body` only if `worker` still owns it.
  private func fenced(
    _ trial: TrialRecord, _ worker: WorkerIdentity, _ body: (any SQLConnection) throws -> Void
  ) throws(StoreError) -> Bool {
    let now = database.dialect.now
    return try write { connection in
      let owned = try connection.execute(
        "UPDATE trial SET heartbeat_at = \(now) WHERE \(Self.owned)", Self.claimant(trial, worker))
      if owned == 1 { try body(connection) }
      return owned == 1
    }
  }

  /// Stores one epoch's metrics exactly (NaN and ±inf included) and heartbeats; false (nothing
  /// written) when the trial is no longer this worker's.
  @discardableResult
  public func recordEpoch(_ metrics: EpochMetrics, trial: TrialRecord, worker: WorkerIdentity)
    throws(StoreError) -> Bool
  {
    try fenced(trial, worker) { try Self.upsertMetrics(metrics, trialID: trial.id, $0) }
  }

  /// Stores the environment a trial runs in; false (nothing written) when the trial is no
  /// longer this worker's.
  @discardableResult
  public func recordEnvironment(
    _ environment: TrialEnvironment, trial: TrialRecord, worker: WorkerIdentity
  ) throws(StoreError) -> Bool {
    try fenced(trial, worker) { try Self.upsertEnvironment(environment, trialID: trial.id, $0) }
  }

  /// Marks the trial completed (or, with `pruned`, pruned for that reason) with its checkpoint
  /// and, in the same transaction, stores `finalEpoch` (the last epoch's metrics, when not
  /// recorded yet); false (nothing written) if it was no longer this worker's.
  @discardableResult
  public func complete(
    _ trial: TrialRecord, worker: WorkerIdentity,
    checkpoint: (path: String, sha256: String, bytes: Int),
    parameterCount: Int, flops: Double? = nil, trainingSeconds: Double,
    finalEpoch: EpochMetrics? = nil, pruned: String? = nil
  ) throws(StoreError) -> Bool {
    let now = database.dialect.now
    let state: TrialState = pruned == nil ? .completed : .pruned
    return try write { connection in
      let changed = try connection.execute(
        """
        UPDATE trial SET state = ?, finished_at = \(now), heartbeat_at = \(now),
          error = ?, parameter_count = ?, flops = ?, training_seconds = ?
        WHERE \(Self.owned)
        """,
        [state.rawValue, pruned, parameterCount, flops, trainingSeconds]
          + Self.claimant(trial, worker))
      guard changed == 1 else { return false }
      try connection.execute(
        """
        INSERT INTO artifact (trial_id, kind, path, sha256, bytes) VALUES (?, 'checkpoint', ?, ?, ?)
        ON CONFLICT (trial_id, kind) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,
          bytes = excluded.bytes
        """, [trial.id, checkpoint.path, checkpoint.sha256, checkpoint.bytes])
      if let finalEpoch { try Self.upsertMetrics(finalEpoch, trialID: trial.id, connection) }
      if let pruned { try Self.recordEvent(trial.id, trial.attempt, .pruned, pruned, connection) }
      return true
    }
  }

  /// Marks the trial failed with `reason`; false when it was no longer this worker's.
  @discardableResult
  public func fail(
    _ trial: TrialRecord, worker: WorkerIdentity, reason: String, parameterCount: Int? = nil
  ) throws(StoreError) -> Bool {
    let now = database.dialect.now
    return try write { connection in
      let changed = try connection.execute(
        """
        UPDATE trial SET state = 'failed', finished_at = \(now), error = ?,
          parameter_count = COALESCE(?, parameter_count)
        WHERE \(Self.owned)
        """, [reason, parameterCount] + Self.claimant(trial, worker))
      if changed == 1 { try Self.recordEvent(trial.id, trial.attempt, .failed, reason, connection) }
      return changed == 1
    }
  }

  /// Puts an interrupted trial back in the queue without counting the attempt; false when it was
  /// no longer this worker's.
  @discardableResult
  public func release(_ trial: TrialRecord, worker: WorkerIdentity, reason: String)
    throws(StoreError) -> Bool
  {
    try write { connection in
      let changed = try connection.execute(
        """
        UPDATE trial SET state = 'queued', attempt = attempt - 1, error = ?, worker_host = NULL,
          worker_pid = NULL, heartbeat_at = NULL
        WHERE \(Self.owned)
        """, [reason] + Self.claimant(trial, worker))
      if changed == 1 { try Self.recordEvent(trial.id, trial.attempt, .queued, reason, connection) }
      return changed == 1
    }
  }

  /// Running trials whose worker is gone: on `localHost` a dead pid (`isAlive` false), anywhere a
  /// heartbeat older than `grace` seconds. Each is requeued, or failed once it has used
  /// `maxAttempts` (see ``LostTrialPolicy``), in one transaction; an update applies only if the
  /// trial is still in the attempt that was judged. Returns the trials recovered.
  @discardableResult
  public func recoverLostTrials(
    sweepID: Int64?, grace: Double, maxAttempts: Int, localHost: String, isAlive: (Int) -> Bool,
    reason: ((TrialRecord) -> String?)? = nil
  ) throws(StoreError) -> [TrialRecord] {
    let now = database.dialect.now
    return try write { connection in
      let filter = sweepID == nil ? "" : "AND sweep_id = ?"
      let rows = try connection.rows(
        """
        SELECT *, \(now) - COALESCE(heartbeat_at, 0) AS age FROM trial
        WHERE state = 'running' \(filter) ORDER BY id
        """, sweepID.map { [$0] } ?? [])
      var recovered: [TrialRecord] = []
      for row in rows {
        let trial = try TrialRecord(row: row)
        guard
          let decision = LostTrialPolicy.decide(
            trial, age: try row.get("age") as Double, grace: grace, maxAttempts: maxAttempts,
            localHost: localHost, isAlive: isAlive, reason: reason)
        else { continue }
        let update =
          decision.requeue
          ? """
          UPDATE trial SET state = 'queued', error = ?, worker_host = NULL, worker_pid = NULL,
            heartbeat_at = NULL WHERE id = ? AND state = 'running' AND attempt = ?
          """
          : """
          UPDATE trial SET state = 'failed', finished_at = \(now), error = ?
          WHERE id = ? AND state = 'running' AND attempt = ?
          """
        if try connection.execute(update, [decision.text, trial.id, trial.attempt]) == 1 {
          try Self.recordEvent(
            trial.id, trial.attempt, decision.requeue ? .queued : .failed, decision.text,
            connection)
          recovered.append(trial)
        }
      }
      return recovered
    }
  }

  /// Puts every failed trial of a sweep back in the queue (`sweep run --retry-failed`): attempt
  /// numbers continue, lost-worker attempts count afresh, and each trial's history keeps the
  /// error it failed with. Returns the number of trials requeued.
  @discardableResult
  public func retryFailed(sweepID: Int64) throws(StoreError) -> Int {
    try write { connection in
      let failed = try connection.rows(
        "SELECT id, attempt, error FROM trial WHERE sweep_id = ? AND state = 'failed'", [sweepID])
      for row in failed {
        let error: String? = try row.get("error")
        try Self.recordEvent(
          try row.get("id"), try row.get("attempt"), .queued,
          "retried (--retry-failed); it had failed: \(error ?? "no error recorded")", connection)
      }
      return try connection.execute(
        """
        UPDATE trial SET state = 'queued', attempt_base = attempt, worker_host = NULL,
          worker_pid = NULL, heartbeat_at = NULL, finished_at = NULL
        WHERE sweep_id = ? AND state = 'failed'
        """, [sweepID])
    }
  }

  /// Appends to a trial's history: it entered `state` in `attempt` because of `message`.
  static func recordEvent(
    _ trialID: Int64, _ attempt: Int, _ state: TrialState, _ message: String,
    _ connection: any SQLConnection
  ) throws {
    try connection.execute(
      "INSERT INTO trial_event (trial_id, attempt, at, state, message) VALUES (?, ?, \(connection.dialect.now), ?, ?)",
      [trialID, attempt, state.rawValue, message])
  }

  /// Inserts (or replaces) one epoch's metrics, each with its exact bit pattern.
  static func upsertMetrics(
    _ metrics: EpochMetrics, trialID: Int64, _ connection: any SQLConnection
  ) throws {
    for (name, value) in metrics.values() {
      try insertMetric(trialID: trialID, epoch: metrics.epoch, name: name, value: value, connection)
    }
  }

  /// Inserts (or replaces) one metric value with its exact bits (`value` is NULL when not finite).
  static func insertMetric(
    trialID: Int64, epoch: Int, name: String, value: Double, _ connection: any SQLConnection
  ) throws {
    try connection.execute(
      """
      INSERT INTO metric (trial_id, epoch, name, value, bits) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (trial_id, epoch, name) DO UPDATE SET value = excluded.value, bits = excluded.bits
      """,
      [
        trialID, epoch, name, value.isFinite ? value : nil, Int64(bitPattern: value.bitPattern),
      ])
  }

  /// Inserts (or replaces) a trial's environment.
  static func upsertEnvironment(
    _ environment: TrialEnvironment, trialID: Int64, _ connection: any SQLConnection
  ) throws {
    try connection.execute(
      """
      INSERT INTO environment
        (trial_id, tool_version, git_commit, openblas_core, blas_threads, cpu_model, host, os,
         data_directory)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (trial_id) DO UPDATE SET tool_version = excluded.tool_version,
        git_commit = excluded.git_commit, openblas_core = excluded.openblas_core,
        blas_threads = excluded.blas_threads, cpu_model = excluded.cpu_model,
        host = excluded.host, os = excluded.os, data_directory = excluded.data_directory
      """,
      [
        trialID, environment.toolVersion, environment.gitCommit, environment.openBLASCore,
        environment.blasThreads, environment.cpuModel, environment.host,
        environment.operatingSystem, environment.dataDirectory,
      ])
  }
}
