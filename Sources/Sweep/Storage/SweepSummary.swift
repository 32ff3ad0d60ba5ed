import Foundation
import KANLib

/// The state of a sweep at a glance: counts, best trial, running trials, ETA.
public struct SweepSummary: Sendable {
  /// The sweep.
  public let sweep: SweepRecord
  /// Trials by state.
  public let counts: [TrialState: Int]
  /// The metric ranked on.
  public let metric: String
  /// Whether larger is better.
  public let maximize: Bool
  /// The best completed trial and its final value of `metric`.
  public let best: (trial: TrialRecord, value: Double)?
  /// Running trials with seconds since their last heartbeat.
  public let running: [(trial: TrialRecord, heartbeatAge: Double?)]
  /// Estimated seconds until the queue is done, from the mean duration of completed trials.
  public let etaSeconds: Double?

  /// Summarizes `sweep` from `store`.
  public init(store: any SweepStorage, sweep: SweepRecord) throws(StoreError) {
    self.sweep = sweep
    counts = try store.counts(sweepID: sweep.id)
    let trials = try store.trials(sweepID: sweep.id)
    let completed = trials.filter { $0.state == .completed }
    let datasets = completed.compactMap { $0.trainingConfiguration?.dataset }
    let classification = datasets.filter(\.isClassification).count
    let metric =
      sweep.metricName
      ?? (classification * 2 >= datasets.count && !datasets.isEmpty ? "test_accuracy" : "test_rmse")
    self.metric = metric
    let maximize = sweep.metricGoal.map { $0 == "maximize" } ?? (metric == "test_accuracy")
    self.maximize = maximize
    var found: (TrialRecord, Double)?
    for trial in completed {
      let metrics = try store.metrics(trialID: trial.id)
      guard let last = metrics.map(\.epoch).max(),
        let value = metrics.first(where: { $0.epoch == last && $0.name == metric })?.value,
        !value.isNaN
      else { continue }
      let better = found.map { maximize ? value > $0.1 : value < $0.1 } ?? true
      if better { found = (trial, value) }
    }
    best = found
    let now = Date().timeIntervalSince1970
    running = trials.filter { $0.state == .running }.map { ($0, $0.heartbeatAt.map { now - $0 }) }
    let durations = completed.compactMap { trial -> Double? in
      guard let start = trial.startedAt, let end = trial.finishedAt else { return nil }
      return end - start
    }
    let remaining = Double(counts[.queued] ?? 0) + Double(counts[.running] ?? 0) / 2
    if durations.isEmpty || remaining == 0 {
      etaSeconds = remaining == 0 ? 0 : nil
    } else {
      let mean = durations.reduce(0, +) / Double(durations.count)
      etaSeconds = mean * remaining / Double(max(1, counts[.running] ?? 0))
    }
  }
}
