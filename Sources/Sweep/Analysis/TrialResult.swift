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
  /// Forward FLOPs per sample by KANbeFair's counting (stored from schema v5; computed from the
  /// configuration for older trials).
  public var flops: Double?
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

  /// The configuration without its seed: trials that differ only by seed share it. Read from
  /// the stored canonical JSON with its `"seed":N` member blanked (no re-encoding: a report of
  /// 50,000 trials asks for it 50,000 times).
  public var configurationKey: String {
    let utf8 = Array(configurationJSON.utf8)
    let member = Array("\"seed\":".utf8)
    guard utf8.count > member.count else { return configurationJSON }
    for start in 0...(utf8.count - member.count) where utf8[start] == member[0] {
      guard utf8[start..<(start + member.count)].elementsEqual(member) else { continue }
      var end = start + member.count
      while end < utf8.count, utf8[end] >= 48 && utf8[end] <= 57 { end += 1 }
      return String(decoding: utf8[..<start] + utf8[end...], as: UTF8.self)
    }
    return configurationJSON
  }
}
