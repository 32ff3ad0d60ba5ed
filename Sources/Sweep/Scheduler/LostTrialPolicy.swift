/// Decides what happens to a running trial whose worker may be gone.
enum LostTrialPolicy {
  /// nil to leave the trial alone; otherwise whether to requeue it (or fail it for good) and why.
  /// `age` is the number of seconds since its last heartbeat.
  static func decide(
    _ trial: TrialRecord, age: Double, grace: Double, maxAttempts: Int, localHost: String,
    isAlive: (Int) -> Bool, reason: ((TrialRecord) -> String?)?
  ) -> (requeue: Bool, text: String)? {
    let deadHere = trial.workerHost == localHost && trial.workerPID.map { !isAlive($0) } == true
    guard deadHere || age > grace else { return nil }
    let why =
      reason?(trial)
      ?? (deadHere
        ? "worker \(trial.workerPID ?? 0) on \(localHost) died"
        : "no heartbeat for \(Int(age)) s from worker \(trial.workerHost ?? "?"):\(trial.workerPID ?? 0)")
    // Attempts count from the last `--retry-failed` (attempt numbers themselves continue).
    let used = trial.attempt - trial.attemptBase
    return used >= maxAttempts
      ? (false, "\(why) (attempt \(used) of \(maxAttempts); giving up)")
      : (true, "\(why); requeued after attempt \(trial.attempt)")
  }
}
