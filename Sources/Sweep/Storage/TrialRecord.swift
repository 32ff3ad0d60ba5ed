import Foundation
import KANLib

/// A row of the `trial` table.
public struct TrialRecord: Sendable {
  /// Row id.
  public var id: Int64
  /// The sweep's row id.
  public var sweepID: Int64
  /// 0-based number within the sweep (`SWEEP:N`).
  public var number: Int
  /// SHA-256 of the canonical configuration.
  public var identity: String
  /// Canonical JSON of the resolved ``TrainingConfiguration`` (seed included).
  public var configuration: String
  /// JSON object of the swept parameters' values, for display.
  public var parameters: String
  /// The trial's seed.
  public var seed: Int64
  /// queued, running, completed or failed.
  public var state: TrialState
  /// How many times a worker claimed the trial.
  public var attempt: Int
  /// `attempt` at the last `--retry-failed` (0 before any): lost-worker attempts count from it.
  public var attemptBase: Int
  /// The host of the worker that ran it last.
  public var workerHost: String?
  /// The pid of that worker.
  public var workerPID: Int?
  /// Last sign of life (Unix time, database clock).
  public var heartbeatAt: Double?
  /// When the last attempt started.
  public var startedAt: Double?
  /// When it finished.
  public var finishedAt: Double?
  /// Why it failed, or why it was requeued.
  public var error: String?
  /// Trainable parameters of the network.
  public var parameterCount: Int?
  /// Forward FLOPs per sample (``ModelCost``), from schema v5.
  public var flops: Double?
  /// Wall seconds of training.
  public var trainingSeconds: Double?

  /// Reads a row of `SELECT * FROM trial`.
  init(row: SQLRow) throws(SQLRowError) {
    id = try row.get("id")
    sweepID = try row.get("sweep_id")
    number = try row.get("number")
    identity = try row.get("identity")
    configuration = try row.get("configuration")
    parameters = try row.get("parameters")
    seed = try row.get("seed")
    let stateName: String = try row.get("state")
    guard let state = TrialState(rawValue: stateName) else {
      throw SQLRowError(column: "state", message: "unknown trial state '\(stateName)'")
    }
    self.state = state
    attempt = try row.get("attempt")
    // Absent in a read-only store made before schema v2.
    attemptBase = row.columns.positions["attempt_base"] == nil ? 0 : try row.get("attempt_base")
    workerHost = try row.get("worker_host")
    workerPID = try row.get("worker_pid")
    heartbeatAt = try row.get("heartbeat_at")
    startedAt = try row.get("started_at")
    finishedAt = try row.get("finished_at")
    error = try row.get("error")
    parameterCount = try row.get("parameter_count")
    // Absent in a read-only store made before schema v5.
    flops = row.columns.positions["flops"] == nil ? nil : try row.get("flops")
    trainingSeconds = try row.get("training_seconds")
  }

  /// The decoded training configuration.
  public var trainingConfiguration: TrainingConfiguration? {
    try? JSONDecoder().decode(TrainingConfiguration.self, from: Data(configuration.utf8))
  }
}
