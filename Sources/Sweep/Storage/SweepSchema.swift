/// A named step of the store's schema; the list is append-only (never edit a shipped step).
public struct SchemaMigration: Sendable {
  /// The name recorded once the step is applied.
  public let name: String
  /// Statements with `{key}`, `{integer}` and `{real}` for the dialect's types.
  public let statements: [String]

  /// The statements for `dialect`.
  func statements(for dialect: SQLDialect) -> [String] { statements.map(dialect.render) }
}

/// The store's schema: the one definition both backends migrate to.
///
/// Tables: `sweep` (one experiment file as submitted), `trial` (one configuration and seed, its
/// state and claimant), `metric` (per epoch; `bits` holds the double's exact bit pattern and
/// `value` a readable copy, NULL when not finite), `artifact` (checkpoint path, SHA-256, size) and
/// `environment` (where a trial ran) and, from v2, `trial_event` (every failure, requeue and retry
/// of a trial, so earlier errors survive a retry) and `trial.attempt_base` (the attempt number at
/// the last retry); v3 adds `sweep.display_name` (a free-text name as the file wrote it; `name` is
/// its slug); v4 adds `environment.data_directory` (the `--data-dir` a trial's worker was given, as
/// an absolute path, so its reproduce command can carry it); v5 adds `trial.flops` (forward FLOPs
/// per sample by KANbeFair's counting, beside `parameter_count`). Timestamps are Unix seconds from
/// the database's clock.
enum SweepSchema {
  static let migrations = [
    SchemaMigration(
      name: "v1-sweeps-trials-metrics",
      statements: [
        """
        CREATE TABLE sweep (
          id {key},
          name TEXT NOT NULL UNIQUE,
          description TEXT NOT NULL,
          method TEXT NOT NULL,
          metric_name TEXT,
          metric_goal TEXT,
          file_path TEXT NOT NULL,
          file_text TEXT NOT NULL,
          file_hash TEXT NOT NULL,
          created_at {real} NOT NULL
        )
        """,
        """
        CREATE TABLE trial (
          id {key},
          sweep_id {integer} NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,
          number {integer} NOT NULL,
          identity TEXT NOT NULL,
          configuration TEXT NOT NULL,
          parameters TEXT NOT NULL,
          seed {integer} NOT NULL,
          state TEXT NOT NULL
            CHECK (state IN ('queued', 'running', 'completed', 'failed', 'pruned')),
          attempt {integer} NOT NULL DEFAULT 0,
          worker_host TEXT,
          worker_pid {integer},
          heartbeat_at {real},
          started_at {real},
          finished_at {real},
          error TEXT,
          parameter_count {integer},
          training_seconds {real},
          UNIQUE (sweep_id, number),
          UNIQUE (sweep_id, identity)
        )
        """,
        "CREATE INDEX trial_by_state ON trial(sweep_id, state, number)",
        """
        CREATE TABLE metric (
          trial_id {integer} NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
          epoch {integer} NOT NULL,
          name TEXT NOT NULL,
          value {real},
          bits {integer} NOT NULL,
          PRIMARY KEY (trial_id, epoch, name)
        )
        """,
        """
        CREATE TABLE artifact (
          trial_id {integer} NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
          kind TEXT NOT NULL,
          path TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes {integer} NOT NULL,
          PRIMARY KEY (trial_id, kind)
        )
        """,
        """
        CREATE TABLE environment (
          trial_id {integer} PRIMARY KEY REFERENCES trial(id) ON DELETE CASCADE,
          tool_version TEXT NOT NULL,
          git_commit TEXT,
          openblas_core TEXT NOT NULL,
          blas_threads {integer} NOT NULL,
          cpu_model TEXT NOT NULL,
          host TEXT NOT NULL,
          os TEXT NOT NULL
        )
        """,
      ]),
    SchemaMigration(
      name: "v2-trial-history-and-retries",
      statements: [
        """
        CREATE TABLE trial_event (
          trial_id {integer} NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
          attempt {integer} NOT NULL,
          at {real} NOT NULL,
          state TEXT NOT NULL,
          message TEXT NOT NULL
        )
        """,
        "CREATE INDEX trial_event_by_trial ON trial_event(trial_id, at)",
        "ALTER TABLE trial ADD COLUMN attempt_base {integer} NOT NULL DEFAULT 0",
      ]),
    SchemaMigration(
      name: "v3-display-names",
      statements: ["ALTER TABLE sweep ADD COLUMN display_name TEXT"]),
    SchemaMigration(
      name: "v4-environment-data-directory",
      statements: ["ALTER TABLE environment ADD COLUMN data_directory TEXT"]),
    SchemaMigration(
      name: "v5-trial-flops",
      statements: ["ALTER TABLE trial ADD COLUMN flops {real}"]),
  ]
}
