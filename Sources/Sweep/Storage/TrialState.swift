/// The life of a trial: queued → running → completed / failed / pruned (finished trials never
/// change again, except that a failed or pruned trial can be requeued by a new attempt).
public enum TrialState: String, Sendable, Codable, CaseIterable {
  /// Waiting for a worker.
  case queued
  /// Claimed by a worker that heartbeats.
  case running
  /// Finished with metrics and a checkpoint.
  case completed
  /// Stopped by an error, a divergence or too many lost workers.
  case failed
  /// Stopped early on purpose.
  case pruned
}
