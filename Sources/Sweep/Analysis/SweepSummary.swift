import Foundation
import KANLib

/// The state of a sweep at a glance: counts, the best per dataset, running trials, ETA.
public struct SweepSummary: Sendable {
  /// The sweep.
  public let sweep: SweepRecord
  /// Trials by state.
  public let counts: [TrialState: Int]
  /// Per dataset: the metric, the best configuration and the best trial.
  public let analysis: SweepAnalysis
  /// The parameters that take more than one value in the sweep.
  public let sweptParameters: [String]
  /// Running trials with seconds since their last heartbeat (by this machine's clock).
  public let running: [(trial: TrialRecord, heartbeatAge: Double?)]
  /// Estimated seconds until the queue is done, from the mean duration of completed trials.
  public let etaSeconds: Double?

  /// Summarizes `sweep` from `store`.
  public init(store: SweepStore, sweep: SweepRecord) throws(StoreError) {
    self.sweep = sweep
    let results = try SweepResults.load(sweep, from: store)
    analysis = results.analysis
    sweptParameters = results.sweptParameters
    counts = results.counts
    let records = try store.trials(sweepID: sweep.id)
    let now = Date().timeIntervalSince1970
    running = records.filter { $0.state == .running }.map { ($0, $0.heartbeatAt.map { now - $0 }) }
    let durations = results.trials.compactMap { trial -> Double? in
      guard trial.state == .completed, let start = trial.startedAt, let end = trial.finishedAt
      else { return nil }
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
