import Foundation
import KANLib
import PostgresNIO

extension PostgresSweepStore {
  /// Claims the lowest-numbered queued trial with `FOR UPDATE SKIP LOCKED`.
  public func claim(sweepID: Int64?, worker: WorkerIdentity, environment: TrialEnvironment?)
    throws(StoreError) -> TrialRecord?
  {
    let host = worker.host
    let pid = Int64(worker.pid)
    return try transaction { connection, logger in
      let filter = sweepID.map { "AND sweep_id = \($0)" } ?? ""
      guard
        let id = try Self.fetch(
          connection,
          """
          SELECT id FROM trial WHERE state = 'queued' \(unescaped: filter)
          ORDER BY sweep_id, number LIMIT 1 FOR UPDATE SKIP LOCKED
          """, logger
        ).first?.makeRandomAccess()["id"].decode(Int64.self)
      else { return nil }
      try Self.fetch(
        connection,
        """
        UPDATE trial SET state = 'running', attempt = attempt + 1, worker_host = \(host), worker_pid = \(pid),
          heartbeat_at = \(unescaped: Self.now), started_at = \(unescaped: Self.now), finished_at = NULL
        WHERE id = \(id)
        """, logger)
      for table in ["metric", "artifact", "environment"] {
        try Self.fetch(
          connection,
          "DELETE FROM \(unescaped: table) WHERE trial_id = \(id)", logger)
      }
      if let environment {
        try Self.insertEnvironment(environment, trialID: id, connection, logger)
      }
      return try Self.fetch(connection, "SELECT * FROM trial WHERE id = \(id)", logger)
        .first.map { try Self.trialRecord($0.makeRandomAccess()) }
    }
  }

  /// Runs an UPDATE guarded by ownership and tells whether it changed the trial.
  private func ownedUpdate(
    _ trial: TrialRecord, _ worker: WorkerIdentity, set assignments: PostgresQuery
  )
    throws(StoreError) -> Bool
  {
    let (id, host, pid, attempt) = (trial.id, worker.host, Int64(worker.pid), Int64(trial.attempt))
    return try transaction { connection, logger in
      var query = assignments
      query.sql =
        "UPDATE trial SET \(assignments.sql) WHERE id = \(id) AND state = 'running' AND worker_host = $\(query.binds.count + 1) "
        + "AND worker_pid = \(pid) AND attempt = \(attempt) RETURNING id"
      query.binds.append(host)
      return try !Self.fetch(connection, query, logger).isEmpty
    }
  }

  /// Records a sign of life; false when the trial is no longer this worker's.
  public func heartbeat(_ trial: TrialRecord, worker: WorkerIdentity) throws(StoreError) -> Bool {
    try ownedUpdate(trial, worker, set: "heartbeat_at = \(unescaped: Self.now)")
  }

  /// Stores one epoch's metrics exactly and heartbeats.
  public func recordEpoch(_ metrics: EpochMetrics, trial: TrialRecord, worker: WorkerIdentity)
    throws(StoreError)
  {
    guard try heartbeat(trial, worker: worker) else { return }
    try transaction { connection, logger in
      try Self.insertMetrics(metrics, trialID: trial.id, connection, logger)
    }
  }

  /// Stores the environment a trial runs in.
  public func recordEnvironment(_ environment: TrialEnvironment, trial: TrialRecord)
    throws(StoreError)
  {
    try transaction { connection, logger in
      try Self.insertEnvironment(environment, trialID: trial.id, connection, logger)
    }
  }

  /// Marks the trial completed with its checkpoint; false if it was no longer this worker's.
  public func complete(
    _ trial: TrialRecord, worker: WorkerIdentity,
    checkpoint: (path: String, sha256: String, bytes: Int),
    parameterCount: Int, trainingSeconds: Double, finalEpoch: EpochMetrics?
  ) throws(StoreError) -> Bool {
    let (id, host, pid, attempt) = (trial.id, worker.host, Int64(worker.pid), Int64(trial.attempt))
    let (path, sha, bytes) = (checkpoint.path, checkpoint.sha256, Int64(checkpoint.bytes))
    let count = Int64(parameterCount)
    return try transaction { connection, logger in
      let updated = try Self.fetch(
        connection,
        """
        UPDATE trial SET state = 'completed', finished_at = \(unescaped: Self.now),
          heartbeat_at = \(unescaped: Self.now), error = NULL, parameter_count = \(count),
          training_seconds = \(trainingSeconds)
        WHERE id = \(id) AND state = 'running' AND worker_host = \(host) AND worker_pid = \(pid)
          AND attempt = \(attempt)
        RETURNING id
        """, logger)
      guard !updated.isEmpty else { return false }
      try Self.fetch(
        connection,
        """
        INSERT INTO artifact (trial_id, kind, path, sha256, bytes) VALUES (\(id), 'checkpoint', \(path), \(sha), \(bytes))
        ON CONFLICT (trial_id, kind) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256, bytes = excluded.bytes
        """, logger)
      if let finalEpoch { try Self.insertMetrics(finalEpoch, trialID: id, connection, logger) }
      return true
    }
  }

  /// Marks the trial failed with `reason`.
  public func fail(
    _ trial: TrialRecord, worker: WorkerIdentity, reason: String, parameterCount: Int?
  )
    throws(StoreError)
  {
    let count = parameterCount.map(Int64.init)
    _ = try ownedUpdate(
      trial, worker,
      set:
        "state = 'failed', finished_at = \(unescaped: Self.now), error = \(reason), parameter_count = COALESCE(\(count), parameter_count)"
    )
  }

  /// Puts an interrupted trial back in the queue without counting the attempt.
  public func release(_ trial: TrialRecord, worker: WorkerIdentity, reason: String)
    throws(StoreError)
  {
    _ = try ownedUpdate(
      trial, worker,
      set:
        "state = 'queued', attempt = attempt - 1, error = \(reason), worker_host = NULL, worker_pid = NULL, heartbeat_at = NULL"
    )
  }

  /// Requeues (or fails) running trials whose worker is gone.
  public func recoverLostTrials(
    sweepID: Int64?, grace: Double, maxAttempts: Int, localHost: String, isAlive: (Int) -> Bool,
    reason: ((TrialRecord) -> String?)?
  ) throws(StoreError) -> [TrialRecord] {
    let filter = sweepID.map { "AND sweep_id = \($0)" } ?? ""
    let found = try rows(
      "SELECT *, \(unescaped: Self.now) - COALESCE(heartbeat_at, 0) AS age FROM trial WHERE state = 'running' \(unescaped: filter) ORDER BY id"
    )
    let running = try decoding {
      try found.map { (try Self.trialRecord($0), try $0["age"].decode(Double.self)) }
    }
    var decisions: [(trial: TrialRecord, requeue: Bool, text: String)] = []
    for (trial, age) in running {
      if let decision = LostTrialPolicy.decide(
        trial, age: age, grace: grace, maxAttempts: maxAttempts, localHost: localHost,
        isAlive: isAlive,
        reason: reason)
      {
        decisions.append((trial, decision.requeue, decision.text))
      }
    }
    guard !decisions.isEmpty else { return [] }
    let plan = decisions.map { ($0.trial.id, Int64($0.trial.attempt), $0.requeue, $0.text) }
    let changed = try transaction { connection, logger in
      var ids: [Int64] = []
      for (id, attempt, requeue, text) in plan {
        let query: PostgresQuery =
          requeue
          ? """
          UPDATE trial SET state = 'queued', error = \(text), worker_host = NULL, worker_pid = NULL, heartbeat_at = NULL
          WHERE id = \(id) AND state = 'running' AND attempt = \(attempt) RETURNING id
          """
          : """
          UPDATE trial SET state = 'failed', finished_at = \(unescaped: Self.now), error = \(text)
          WHERE id = \(id) AND state = 'running' AND attempt = \(attempt) RETURNING id
          """
        if try !Self.fetch(connection, query, logger).isEmpty { ids.append(id) }
      }
      return ids
    }
    return decisions.map(\.trial).filter { changed.contains($0.id) }
  }

  /// Metrics of a trial by epoch then name.
  public func metrics(trialID: Int64) throws(StoreError) -> [(
    epoch: Int, name: String, value: Double
  )] {
    let found = try rows(
      "SELECT epoch, name, bits FROM metric WHERE trial_id = \(trialID) ORDER BY epoch, name")
    return try decoding {
      try found.map { row in
        (
          Int(try row["epoch"].decode(Int64.self)), try row["name"].decode(String.self),
          Double(bitPattern: UInt64(bitPattern: try row["bits"].decode(Int64.self)))
        )
      }
    }
  }

  /// The checkpoint of a trial.
  public func checkpoint(trialID: Int64) throws(StoreError) -> (
    path: String, sha256: String, bytes: Int
  )? {
    let found = try rows(
      "SELECT path, sha256, bytes FROM artifact WHERE trial_id = \(trialID) AND kind = 'checkpoint'"
    )
    return try decoding {
      try found.first.map { row in
        (
          try row["path"].decode(String.self), try row["sha256"].decode(String.self),
          Int(try row["bytes"].decode(Int64.self))
        )
      }
    }
  }

  /// The recorded environment of a trial.
  public func environment(trialID: Int64) throws(StoreError) -> TrialEnvironment? {
    let found = try rows("SELECT * FROM environment WHERE trial_id = \(trialID)")
    return try decoding {
      try found.first.map { row in
        TrialEnvironment(
          toolVersion: try row["tool_version"].decode(String.self),
          gitCommit: try row["git_commit"].decode(String?.self),
          openBLASCore: try row["openblas_core"].decode(String.self),
          blasThreads: Int(try row["blas_threads"].decode(Int64.self)),
          cpuModel: try row["cpu_model"].decode(String.self),
          host: try row["host"].decode(String.self),
          operatingSystem: try row["os"].decode(String.self))
      }
    }
  }

  /// Every metric, checkpoint and environment line of a sweep.
  public func reportRows(sweepID: Int64) throws(StoreError) -> SweepReportRows {
    let metricRows = try rows(
      "SELECT m.trial_id, m.epoch, m.name, m.bits FROM metric m JOIN trial t ON t.id = m.trial_id WHERE t.sweep_id = \(sweepID)"
    )
    let checkpointRows = try rows(
      """
      SELECT a.trial_id, a.sha256 FROM artifact a JOIN trial t ON t.id = a.trial_id
      WHERE t.sweep_id = \(sweepID) AND a.kind = 'checkpoint'
      """)
    let environmentRows = try rows(
      """
      SELECT DISTINCT 'kan-sweep ' || e.tool_version || ', OpenBLAS ' || e.openblas_core || ' × ' ||
        e.blas_threads || ', ' || e.cpu_model || ', ' || e.host || ', ' || e.os ||
        COALESCE(', git ' || substr(e.git_commit, 1, 10), '') AS line
      FROM environment e JOIN trial t ON t.id = e.trial_id WHERE t.sweep_id = \(sweepID) ORDER BY 1
      """)
    return try decoding {
      SweepReportRows(
        metrics: try metricRows.map { row in
          (
            try row["trial_id"].decode(Int64.self), Int(try row["epoch"].decode(Int64.self)),
            try row["name"].decode(String.self),
            Double(bitPattern: UInt64(bitPattern: try row["bits"].decode(Int64.self)))
          )
        },
        checkpoints: try checkpointRows.map {
          (try $0["trial_id"].decode(Int64.self), try $0["sha256"].decode(String.self))
        },
        environments: try environmentRows.map { try $0["line"].decode(String.self) })
    }
  }
}

extension PostgresSweepStore {
  /// Inserts (or replaces) one epoch's metrics, each with its exact bit pattern.
  static func insertMetrics(
    _ metrics: EpochMetrics, trialID id: Int64, _ connection: PostgresConnection, _ logger: Logger
  ) throws {
    let epoch = Int64(metrics.epoch)
    for (name, value) in metrics.values() {
      let finite: Double? = value.isFinite ? value : nil
      let bits = Int64(bitPattern: value.bitPattern)
      try fetch(
        connection,
        """
        INSERT INTO metric (trial_id, epoch, name, value, bits) VALUES (\(id), \(epoch), \(name), \(finite), \(bits))
        ON CONFLICT (trial_id, epoch, name) DO UPDATE SET value = excluded.value, bits = excluded.bits
        """, logger)
    }
  }

  /// Inserts (or replaces) a trial's environment.
  static func insertEnvironment(
    _ environment: TrialEnvironment, trialID id: Int64, _ connection: PostgresConnection,
    _ logger: Logger
  ) throws {
    try fetch(
      connection,
      """
      INSERT INTO environment (trial_id, tool_version, git_commit, openblas_core, blas_threads, cpu_model, host, os)
      VALUES (\(id), \(environment.toolVersion), \(environment.gitCommit), \(environment.openBLASCore),
              \(Int64(environment.blasThreads)), \(environment.cpuModel), \(environment.host),
              \(environment.operatingSystem))
      ON CONFLICT (trial_id) DO UPDATE SET tool_version = excluded.tool_version, git_commit = excluded.git_commit,
        openblas_core = excluded.openblas_core, blas_threads = excluded.blas_threads,
        cpu_model = excluded.cpu_model, host = excluded.host, os = excluded.os
      """, logger)
  }
}
