import Foundation
import GRDB
import KANLib

/// Who runs a trial: host and process id, checked on every update so that a worker whose trial
/// was taken from it (after its heartbeat went stale) can no longer write to it.
public struct WorkerIdentity: Sendable, Equatable {
  /// Host name.
  public let host: String
  /// Process id.
  public let pid: Int

  /// This process.
  public static var current: WorkerIdentity {
    WorkerIdentity(
      host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier))
  }

  /// Creates an identity.
  public init(host: String, pid: Int) {
    self.host = host
    self.pid = pid
  }
}

extension SweepStore {
  /// Claims the lowest-numbered queued trial (of `sweepID`, or of any sweep) for `worker`, in
  /// one transaction; clears what an earlier attempt left. Returns nil when nothing is queued.
  public func claim(sweepID: Int64?, worker: WorkerIdentity, environment: TrialEnvironment?)
    throws(StoreError) -> TrialRecord?
  {
    try write { db in
      let filter = sweepID == nil ? "" : "AND sweep_id = \(sweepID ?? 0)"
      guard
        let id = try Int64.fetchOne(
          db.cachedStatement(
            sql:
              "SELECT id FROM trial WHERE state = 'queued' \(filter) ORDER BY sweep_id, number LIMIT 1"
          ))
      else { return nil }
      try db.cachedStatement(
        sql: """
          UPDATE trial SET state = 'running', attempt = attempt + 1, worker_host = ?, worker_pid = ?,
            heartbeat_at = \(Self.now), started_at = \(Self.now), finished_at = NULL
          WHERE id = ? AND state = 'queued'
          """
      ).execute(arguments: [worker.host, worker.pid, id])
      for table in ["metric", "artifact", "environment"] {
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE trial_id = ?").execute(
          arguments: [id])
      }
      if let environment { try Self.insertEnvironment(environment, trialID: id, db) }
      return try TrialRecord.fetchOne(
        db.cachedStatement(sql: "SELECT * FROM trial WHERE id = ?"), arguments: [id])
    }
  }

  private static let owned =
    "id = ? AND state = 'running' AND worker_host = ? AND worker_pid = ? AND attempt = ?"

  private func ownedArguments(_ trial: TrialRecord, _ worker: WorkerIdentity) -> StatementArguments
  {
    [trial.id, worker.host, worker.pid, trial.attempt]
  }

  /// Records a sign of life; returns false when the trial is no longer this worker's.
  @discardableResult
  public func heartbeat(_ trial: TrialRecord, worker: WorkerIdentity) throws(StoreError) -> Bool {
    try write { db in
      try db.cachedStatement(
        sql: "UPDATE trial SET heartbeat_at = \(Self.now) WHERE \(Self.owned)"
      ).execute(arguments: ownedArguments(trial, worker))
      return db.changesCount == 1
    }
  }

  /// Stores one epoch's metrics (exact bits, NaN and ±inf included) and heartbeats.
  public func recordEpoch(_ metrics: EpochMetrics, trial: TrialRecord, worker: WorkerIdentity)
    throws(StoreError)
  {
    try write { db in
      try db.cachedStatement(
        sql: "UPDATE trial SET heartbeat_at = \(Self.now) WHERE \(Self.owned)"
      ).execute(arguments: ownedArguments(trial, worker))
      guard db.changesCount == 1 else { return }
      try Self.insertMetrics(metrics, trialID: trial.id, db)
    }
  }

  /// Stores the environment a trial runs in.
  public func recordEnvironment(_ environment: TrialEnvironment, trial: TrialRecord)
    throws(StoreError)
  {
    try write { db in try Self.insertEnvironment(environment, trialID: trial.id, db) }
  }

  /// Marks the trial completed with its checkpoint; false if it was no longer this worker's.
  @discardableResult
  public func complete(
    _ trial: TrialRecord, worker: WorkerIdentity,
    checkpoint: (path: String, sha256: String, bytes: Int),
    parameterCount: Int, trainingSeconds: Double, finalEpoch: EpochMetrics?
  ) throws(StoreError) -> Bool {
    try write { db in
      try db.cachedStatement(
        sql: """
          UPDATE trial SET state = 'completed', finished_at = \(Self.now), heartbeat_at = \(Self.now),
            error = NULL, parameter_count = ?, training_seconds = ?
          WHERE \(Self.owned)
          """
      ).execute(arguments: [
        parameterCount, trainingSeconds, trial.id, worker.host, worker.pid, trial.attempt,
      ])
      guard db.changesCount == 1 else { return false }
      try db.cachedStatement(
        sql:
          "INSERT OR REPLACE INTO artifact (trial_id, kind, path, sha256, bytes) VALUES (?, 'checkpoint', ?, ?, ?)"
      ).execute(arguments: [trial.id, checkpoint.path, checkpoint.sha256, checkpoint.bytes])
      if let finalEpoch { try Self.insertMetrics(finalEpoch, trialID: trial.id, db) }
      return true
    }
  }

  /// Marks the trial failed with `reason`.
  public func fail(
    _ trial: TrialRecord, worker: WorkerIdentity, reason: String, parameterCount: Int? = nil
  )
    throws(StoreError)
  {
    try write { db in
      try db.execute(
        sql: """
          UPDATE trial SET state = 'failed', finished_at = \(Self.now), error = ?,
            parameter_count = COALESCE(?, parameter_count)
          WHERE \(Self.owned)
          """,
        arguments: [reason, parameterCount, trial.id, worker.host, worker.pid, trial.attempt])
    }
  }

  /// Puts an interrupted trial back in the queue without counting the attempt.
  public func release(_ trial: TrialRecord, worker: WorkerIdentity, reason: String)
    throws(StoreError)
  {
    try write { db in
      try db.execute(
        sql: """
          UPDATE trial SET state = 'queued', attempt = attempt - 1, error = ?, worker_host = NULL,
            worker_pid = NULL, heartbeat_at = NULL
          WHERE \(Self.owned)
          """,
        arguments: [reason, trial.id, worker.host, worker.pid, trial.attempt])
    }
  }

  /// Running trials whose worker is gone: on this host a dead pid (`isAlive` false), anywhere a
  /// heartbeat older than `grace` seconds. Each is requeued, or failed once it has used
  /// `maxAttempts`. Returns the trials recovered.
  @discardableResult
  public func recoverLostTrials(
    sweepID: Int64?, grace: Double, maxAttempts: Int, localHost: String, isAlive: (Int) -> Bool,
    reason: ((TrialRecord) -> String?)?
  ) throws(StoreError) -> [TrialRecord] {
    try write { db in
      let filter = sweepID == nil ? "" : "AND sweep_id = \(sweepID ?? 0)"
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT *, \(Self.now) - COALESCE(heartbeat_at, 0) AS age FROM trial
          WHERE state = 'running' \(filter) ORDER BY id
          """)
      let running = try rows.map { try TrialRecord(row: $0) }
      let ages = rows.map { $0["age"] as Double }
      var recovered: [TrialRecord] = []
      for (trial, age) in zip(running, ages) {
        guard
          let decision = LostTrialPolicy.decide(
            trial, age: age, grace: grace, maxAttempts: maxAttempts, localHost: localHost,
            isAlive: isAlive,
            reason: reason)
        else { continue }
        if decision.requeue {
          try db.execute(
            sql: """
              UPDATE trial SET state = 'queued', error = ?, worker_host = NULL, worker_pid = NULL,
                heartbeat_at = NULL WHERE id = ? AND state = 'running'
              """,
            arguments: [decision.text, trial.id])
        } else {
          try db.execute(
            sql:
              "UPDATE trial SET state = 'failed', finished_at = \(Self.now), error = ? WHERE id = ? AND state = 'running'",
            arguments: [decision.text, trial.id])
        }
        recovered.append(trial)
      }
      return recovered
    }
  }

  /// Metrics of a trial: (epoch, name, exact value), by epoch then name.
  public func metrics(trialID: Int64) throws(StoreError) -> [(
    epoch: Int, name: String, value: Double
  )] {
    try read { db in
      try Row.fetchAll(
        db, sql: "SELECT epoch, name, bits FROM metric WHERE trial_id = ? ORDER BY epoch, name",
        arguments: [trialID]
      ).map { row in
        let bits: Int64 = row["bits"]
        return (row["epoch"], row["name"], Double(bitPattern: UInt64(bitPattern: bits)))
      }
    }
  }

  /// The checkpoint of a trial: path, SHA-256 and size.
  public func checkpoint(trialID: Int64) throws(StoreError) -> (
    path: String, sha256: String, bytes: Int
  )? {
    try read { db in
      try Row.fetchOne(
        db,
        sql: "SELECT path, sha256, bytes FROM artifact WHERE trial_id = ? AND kind = 'checkpoint'",
        arguments: [trialID]
      ).map { ($0["path"], $0["sha256"], $0["bytes"]) }
    }
  }

  /// The recorded environment of a trial.
  public func environment(trialID: Int64) throws(StoreError) -> TrialEnvironment? {
    try read { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM environment WHERE trial_id = ?", arguments: [trialID]
      ).map { row in
        TrialEnvironment(
          toolVersion: row["tool_version"], gitCommit: row["git_commit"],
          openBLASCore: row["openblas_core"],
          blasThreads: row["blas_threads"], cpuModel: row["cpu_model"], host: row["host"],
          operatingSystem: row["os"])
      }
    }
  }
}

extension SweepStore {
  /// Inserts (or replaces) one epoch's metrics, each with its exact bit pattern.
  static func insertMetrics(_ metrics: EpochMetrics, trialID: Int64, _ db: Database) throws {
    for (name, value) in metrics.values() {
      try db.cachedStatement(
        sql:
          "INSERT OR REPLACE INTO metric (trial_id, epoch, name, value, bits) VALUES (?, ?, ?, ?, ?)"
      ).execute(arguments: [
        trialID, metrics.epoch, name, value.isFinite ? value : nil,
        Int64(bitPattern: value.bitPattern),
      ])
    }
  }

  /// Inserts (or replaces) a trial's environment.
  static func insertEnvironment(_ environment: TrialEnvironment, trialID: Int64, _ db: Database)
    throws
  {
    try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO environment
          (trial_id, tool_version, git_commit, openblas_core, blas_threads, cpu_model, host, os)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      trialID, environment.toolVersion, environment.gitCommit, environment.openBLASCore,
      environment.blasThreads, environment.cpuModel, environment.host,
      environment.operatingSystem,
    ])
  }
}
