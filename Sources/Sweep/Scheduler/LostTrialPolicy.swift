/// Decides what happens to a running trial whose worker may be gone; shared by every store.
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
    return trial.attempt >= maxAttempts
      ? (false, "\(why) (attempt \(trial.attempt) of \(maxAttempts); giving up)")
      : (true, "\(why); requeued after attempt \(trial.attempt)")
  }
}
