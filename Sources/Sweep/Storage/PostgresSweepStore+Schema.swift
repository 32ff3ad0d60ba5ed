import PostgresNIO

extension PostgresSweepStore {
  /// Named, append-only migrations (never edit a shipped one).
  static let migrations: [(name: String, sql: [String])] = [
    (
      "v1-sweeps-trials-metrics",
      [
        """
        CREATE TABLE sweep (
          id BIGSERIAL PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          description TEXT NOT NULL,
          method TEXT NOT NULL,
          metric_name TEXT,
          metric_goal TEXT,
          file_path TEXT NOT NULL,
          file_text TEXT NOT NULL,
          file_hash TEXT NOT NULL,
          created_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE trial (
          id BIGSERIAL PRIMARY KEY,
          sweep_id BIGINT NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,
          number BIGINT NOT NULL,
          identity TEXT NOT NULL,
          configuration TEXT NOT NULL,
          parameters TEXT NOT NULL,
          seed BIGINT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed', 'pruned')),
          attempt BIGINT NOT NULL DEFAULT 0,
          worker_host TEXT,
          worker_pid BIGINT,
          heartbeat_at DOUBLE PRECISION,
          started_at DOUBLE PRECISION,
          finished_at DOUBLE PRECISION,
          error TEXT,
          parameter_count BIGINT,
          training_seconds DOUBLE PRECISION,
          UNIQUE (sweep_id, number),
          UNIQUE (sweep_id, identity)
        )
        """,
        "CREATE INDEX trial_by_state ON trial(sweep_id, state, number)",
        """
        CREATE TABLE metric (
          trial_id BIGINT NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
          epoch BIGINT NOT NULL,
          name TEXT NOT NULL,
          value DOUBLE PRECISION,
          bits BIGINT NOT NULL,
          PRIMARY KEY (trial_id, epoch, name)
        )
        """,
        """
        CREATE TABLE artifact (
          trial_id BIGINT NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
          kind TEXT NOT NULL,
          path TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes BIGINT NOT NULL,
          PRIMARY KEY (trial_id, kind)
        )
        """,
        """
        CREATE TABLE environment (
          trial_id BIGINT PRIMARY KEY REFERENCES trial(id) ON DELETE CASCADE,
          tool_version TEXT NOT NULL,
          git_commit TEXT,
          openblas_core TEXT NOT NULL,
          blas_threads BIGINT NOT NULL,
          cpu_model TEXT NOT NULL,
          host TEXT NOT NULL,
          os TEXT NOT NULL
        )
        """,
      ]
    )
  ]

  /// Applies the migrations not yet recorded, one transaction under an advisory lock (workers
  /// starting together do not race).
  func migrate() throws(StoreError) {
    try transaction { connection, logger in
      try Self.fetch(connection, "SELECT pg_advisory_xact_lock(7412001)", logger)
      try Self.fetch(
        connection,
        "CREATE TABLE IF NOT EXISTS kan_sweep_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION)",
        logger)
      let applied = try Self.fetch(
        connection,
        "SELECT name FROM kan_sweep_migrations", logger
      ).map { try $0.makeRandomAccess()["name"].decode(String.self) }
      for migration in Self.migrations where !applied.contains(migration.name) {
        for statement in migration.sql {
          try Self.fetch(connection, PostgresQuery(unsafeSQL: statement), logger)
        }
        try Self.fetch(
          connection,
          "INSERT INTO kan_sweep_migrations (name, applied_at) VALUES (\(migration.name), \(unescaped: Self.now))",
          logger)
      }
    }
  }
}
