import KANLib

/// One trial with everything it recorded: configuration, outcome and every metric per epoch.
public struct TrialResult: Sendable {
  /// The sweep's name.
  public var sweep: String
  /// Number within the sweep.
  public var number: Int
  /// State.
  public var state: TrialState
  /// Seed.
  public var seed: UInt64
  /// The resolved configuration.
  public var configuration: TrainingConfiguration
  /// The stored canonical JSON of `configuration`.
  public var configurationJSON: String
  /// The swept parameters' values as the sweep file gave them (JSON object), for display.
  public var parameters: String
  /// Trainable parameters (when known).
  public var parameterCount: Int?
  /// Wall seconds of training.
  public var trainingSeconds: Double?
  /// Start of the last attempt (Unix time).
  public var startedAt: Double?
  /// End (Unix time).
  public var finishedAt: Double?
  /// Error text of a failed trial.
  public var error: String?
  /// Checkpoint SHA-256.
  public var checkpointSHA256: String?
  /// Checkpoint path as stored (relative paths are relative to the store's folder).
  public var checkpointPath: String?
  /// OpenBLAS threads the trial ran with (its bits depend on them), when recorded.
  public var blasThreads: Int?
  /// The `--data-dir` its worker was given, when it was given one.
  public var dataDirectory: String?
  /// metric name → values by epoch (index 0 = epoch 1); nil where an epoch lacks it.
  public var metrics: [String: [Double?]] = [:]

  /// The last epoch's value of `name`.
  public func final(_ name: String) -> Double? {
    metrics[name]?.last(where: { $0 != nil }) ?? nil
  }

  /// Mean of the per-epoch values of `name` (timings).
  public func mean(_ name: String) -> Double? {
    guard let values = metrics[name]?.compactMap({ $0 }).filter(\.isFinite), !values.isEmpty else {
      return nil
    }
    return values.reduce(0, +) / Double(values.count)
  }

  /// The configuration without its seed: trials that differ only by seed share it.
  public var configurationKey: String {
    var unseeded = configuration
    unseeded.seed = 0
    return (try? unseeded.canonicalJSON()) ?? configurationJSON
  }
}
