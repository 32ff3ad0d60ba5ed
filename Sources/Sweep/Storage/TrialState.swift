/// The life of a trial: queued → running → completed, failed or pruned. A finished trial never
/// changes again (but for `--retry-failed`); a running one goes back to queued when its worker is
/// lost or interrupted.
public enum TrialState: String, Sendable, Codable, CaseIterable {
  /// Waiting for a worker.
  case queued
  /// Claimed by a worker that heartbeats.
  case running
  /// Finished with metrics and a checkpoint.
  case completed
  /// Stopped by an error, a divergence or too many lost workers.
  case failed
  /// Stopped early by the sweep's `early_terminate` rule, with its metrics and checkpoint of the
  /// epoch it stopped at.
  case pruned
}
