import Foundation
import GRDB
import KANLib

/// A row of the `trial` table.
public struct TrialRecord: Codable, Sendable, FetchableRecord, TableRecord {
  /// The table name.
  public static let databaseTableName = "trial"
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
  /// queued, running, completed, failed or pruned.
  public var state: TrialState
  /// How many times a worker claimed the trial.
  public var attempt: Int
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
  /// Wall seconds of training.
  public var trainingSeconds: Double?

  enum CodingKeys: String, CodingKey {
    case id, number, identity, configuration, parameters, seed, state, attempt, error
    case sweepID = "sweep_id"
    case workerHost = "worker_host"
    case workerPID = "worker_pid"
    case heartbeatAt = "heartbeat_at"
    case startedAt = "started_at"
    case finishedAt = "finished_at"
    case parameterCount = "parameter_count"
    case trainingSeconds = "training_seconds"
  }

  /// The decoded training configuration.
  public var trainingConfiguration: TrainingConfiguration? {
    try? JSONDecoder().decode(TrainingConfiguration.self, from: Data(configuration.utf8))
  }
}
