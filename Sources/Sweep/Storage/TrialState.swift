/// The life of a trial: queued → running → completed or failed. A finished trial never changes
/// again; a running one goes back to queued when its worker is lost or interrupted.
///
/// (The schema's CHECK also admits `pruned`, reserved for early termination; nothing writes it
/// yet, so it is not a state here.)
public enum TrialState: String, Sendable, Codable, CaseIterable {
  /// Waiting for a worker.
  case queued
  /// Claimed by a worker that heartbeats.
  case running
  /// Finished with metrics and a checkpoint.
  case completed
  /// Stopped by an error, a divergence or too many lost workers.
  case failed
}
