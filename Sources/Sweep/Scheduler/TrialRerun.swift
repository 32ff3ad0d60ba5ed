import Foundation
import KANLib

/// Retrains a stored trial from its configuration and seed and compares the result bit for bit.
public struct TrialRerun {
  /// The comparison.
  public struct Outcome: Sendable {
    /// Human-readable differences; empty means MATCH.
    public var differences: [String] = []
    /// Notes that do not count as differences (e.g. another OpenBLAS core).
    public var notes: [String] = []
    /// SHA-256 of the new checkpoint.
    public var sha256 = ""
    /// Metrics compared.
    public var comparedMetrics = 0
    /// Whether everything matched.
    public var matches: Bool { differences.isEmpty }
  }

  let store: SweepStore
  let trial: TrialRecord

  /// Prepares a rerun of `trial`.
  public init(store: SweepStore, trial: TrialRecord) {
    self.store = store
    self.trial = trial
  }

  /// Trains in `scratchDirectory` with the stored thread count and compares checkpoint SHA-256
  /// and every stored metric except timings.
  public func run(scratchDirectory: String, dataDirectory: String?, verify: Bool) throws -> Outcome
  {
    guard let configuration = trial.trainingConfiguration else {
      throw StoreError(
        path: store.location, message: "trial \(trial.number): stored configuration does not decode"
      )
    }
    guard trial.state == .completed || trial.state == .pruned,
      let stored = try store.checkpoint(trialID: trial.id)
    else {
      throw StoreError(
        path: store.location,
        message:
          "trial \(trial.number) is \(trial.state.rawValue); only completed and pruned trials can be rerun"
      )
    }
    var outcome = Outcome()
    let fileStatus = CheckpointFile.status(path: stored.path, sha256: stored.sha256)
    let environment = try store.environment(trialID: trial.id)
    BLAS.threads = environment?.blasThreads ?? 1
    let commit = TrialEnvironment.current().gitCommit
    if let environment, let stored = environment.gitCommit, let commit, stored != commit {
      outcome.notes.append(
        "the trial ran at git commit \(stored.prefix(12)), this checkout is at \(commit.prefix(12)); "
          + "a code change between them can change the bits")
    }
    if let environment, environment.openBLASCore != BLAS.coreName {
      outcome.notes.append(
        "the trial ran with OpenBLAS core \(environment.openBLASCore), this process uses \(BLAS.coreName); "
          + "bits may differ for that reason alone")
    }
    let data = try TrainingData.load(
      for: configuration, dataDirectory: dataDirectory, verify: verify)
    let trainer = try Trainer(configuration: configuration, data: data)
    trainer.useThreads(environment?.blasThreads ?? 1)
    if trial.state == .pruned {
      // A pruned trial is retrained to the epoch it stopped at.
      trainer.lastEpoch = try store.metrics(trialID: trial.id).map(\.epoch).max()
    }
    let result = try trainer.run()
    guard result.status == .completed else {
      outcome.differences.append("the rerun did not complete: \(result.status.summary)")
      return outcome
    }
    let path = URL(fileURLWithPath: scratchDirectory).appendingPathComponent(
      "trial-\(trial.number).safetensors"
    ).path
    outcome.sha256 = try Checkpoint.save(trainer.network, configuration: configuration, to: path)
      .sha256
    if outcome.sha256 != stored.sha256 {
      outcome.differences.append("checkpoint sha256 \(outcome.sha256) ≠ stored \(stored.sha256)")
    }
    if fileStatus != .intact {
      let problem = fileStatus.describe(path: stored.path, stored: stored.sha256)
      if outcome.sha256 == stored.sha256 {
        // The retrained bytes are the stored ones: put them back.
        do {
          try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: stored.path).deletingLastPathComponent(),
            withIntermediateDirectories: true)
          try Data(contentsOf: URL(fileURLWithPath: path)).write(
            to: URL(fileURLWithPath: stored.path), options: .atomic)
          outcome.notes.append("checkpoint \(problem); restored it from the retrained bytes")
        } catch {
          outcome.differences.append("checkpoint \(problem); restoring it failed: \(error)")
        }
      } else {
        outcome.differences.append("checkpoint \(problem)")
      }
    }
    var fresh: [String: Double] = [:]
    for metrics in result.epochs {
      for (name, value) in metrics.values(includeTiming: false) {
        fresh["\(metrics.epoch)/\(name)"] = value
      }
    }
    for (epoch, name, value) in try store.metrics(trialID: trial.id)
    where name != "epoch_seconds" && name != "samples_per_second" {
      outcome.comparedMetrics += 1
      guard let new = fresh["\(epoch)/\(name)"] else {
        outcome.differences.append("epoch \(epoch) \(name): stored \(value), missing in the rerun")
        continue
      }
      if new.bitPattern != value.bitPattern {
        outcome.differences.append("epoch \(epoch) \(name): stored \(value), rerun \(new)")
      }
    }
    return outcome
  }
}
