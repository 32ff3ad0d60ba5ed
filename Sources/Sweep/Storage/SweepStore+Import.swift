extension SweepStore {
  /// Copies the sweep `name` from `source` (e.g. a PostgreSQL store into a SQLite file) in one
  /// transaction, replacing an earlier copy: records, trials, metrics (exact bits), checkpoints
  /// and environments. Returns the number of trials copied.
  @discardableResult
  public func importSweep(named name: String, from source: SweepStore) throws(StoreError) -> Int {
    guard let sweep = try source.sweep(named: name) else {
      throw StoreError(path: source.location, message: "no sweep named '\(name)'")
    }
    let trials = try source.trials(sweepID: sweep.id)
    let rows = try source.reportRows(sweepID: sweep.id)
    var checkpoints: [Int64: (path: String, sha256: String, bytes: Int)] = [:]
    var environments: [Int64: TrialEnvironment] = [:]
    var events: [Int64: [TrialEvent]] = [:]
    for trial in trials {
      checkpoints[trial.id] = try source.checkpoint(trialID: trial.id)
      environments[trial.id] = try source.environment(trialID: trial.id)
      events[trial.id] = try source.events(trialID: trial.id)
    }
    return try write { connection in
      try connection.execute("DELETE FROM sweep WHERE name = ?", [name])
      let sweepID = try connection.insert(
        """
        INSERT INTO sweep (name, display_name, description, method, metric_name, metric_goal,
                           file_path, file_text, file_hash, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          sweep.name, sweep.displayName, sweep.description, sweep.method, sweep.metricName,
          sweep.metricGoal, sweep.filePath, sweep.fileText, sweep.fileHash, sweep.createdAt,
        ])
      var newID: [Int64: Int64] = [:]
      for trial in trials {
        let id = try connection.insert(
          """
          INSERT INTO trial (sweep_id, number, identity, configuration, parameters, seed, state,
            attempt, worker_host, worker_pid, heartbeat_at, started_at, finished_at, error,
            parameter_count, flops, training_seconds)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
          [
            sweepID, trial.number, trial.identity, trial.configuration, trial.parameters,
            trial.seed, trial.state.rawValue, trial.attempt, trial.workerHost, trial.workerPID,
            trial.heartbeatAt, trial.startedAt, trial.finishedAt, trial.error,
            trial.parameterCount, trial.flops, trial.trainingSeconds,
          ])
        newID[trial.id] = id
        if let checkpoint = checkpoints[trial.id] {
          try connection.execute(
            "INSERT INTO artifact (trial_id, kind, path, sha256, bytes) VALUES (?, 'checkpoint', ?, ?, ?)",
            [id, checkpoint.path, checkpoint.sha256, checkpoint.bytes])
        }
        if let environment = environments[trial.id] {
          try Self.upsertEnvironment(environment, trialID: id, connection)
        }
        for event in events[trial.id] ?? [] {
          try connection.execute(
            "INSERT INTO trial_event (trial_id, attempt, at, state, message) VALUES (?, ?, ?, ?, ?)",
            [id, event.attempt, event.at, event.state.rawValue, event.message])
        }
      }
      for metric in rows.metrics {
        guard let id = newID[metric.trialID] else { continue }
        try Self.insertMetric(
          trialID: id, epoch: metric.epoch, name: metric.name, value: metric.value, connection)
      }
      return trials.count
    }
  }
}
