import GRDB

extension SweepStore {
  /// The schema, only ever extended by appending named migrations (never edit a shipped one).
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1-sweeps-trials-metrics") { db in
      try db.execute(
        sql: """
          CREATE TABLE sweep (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL,
            method TEXT NOT NULL,
            metric_name TEXT,
            metric_goal TEXT,
            file_path TEXT NOT NULL,
            file_text TEXT NOT NULL,
            file_hash TEXT NOT NULL,
            created_at REAL NOT NULL
          );
          CREATE TABLE trial (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sweep_id INTEGER NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            identity TEXT NOT NULL,
            configuration TEXT NOT NULL,
            parameters TEXT NOT NULL,
            seed INTEGER NOT NULL,
            state TEXT NOT NULL
              CHECK (state IN ('queued', 'running', 'completed', 'failed', 'pruned')),
            attempt INTEGER NOT NULL DEFAULT 0,
            worker_host TEXT,
            worker_pid INTEGER,
            heartbeat_at REAL,
            started_at REAL,
            finished_at REAL,
            error TEXT,
            parameter_count INTEGER,
            training_seconds REAL,
            UNIQUE (sweep_id, number),
            UNIQUE (sweep_id, identity)
          );
          CREATE INDEX trial_by_state ON trial(sweep_id, state, number);
          CREATE TABLE metric (
            trial_id INTEGER NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            name TEXT NOT NULL,
            value REAL,
            bits INTEGER NOT NULL,
            PRIMARY KEY (trial_id, epoch, name)
          );
          CREATE TABLE artifact (
            trial_id INTEGER NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (trial_id, kind)
          );
          CREATE TABLE environment (
            trial_id INTEGER PRIMARY KEY REFERENCES trial(id) ON DELETE CASCADE,
            tool_version TEXT NOT NULL,
            git_commit TEXT,
            openblas_core TEXT NOT NULL,
            blas_threads INTEGER NOT NULL,
            cpu_model TEXT NOT NULL,
            host TEXT NOT NULL,
            os TEXT NOT NULL
          );
          """)
    }
    return migrator
  }
}
