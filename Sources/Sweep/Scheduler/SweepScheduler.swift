import Foundation
import KANLib

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a sweep's queued trials in worker processes of the same executable.
///
/// Concretely: recovers trials whose worker died (same host: dead pid; any host: heartbeat older
/// than `grace`), starts up to `workers` processes `sweep worker --sweep NAME …` (logs under
/// `<results>/<sweep>/logs/`), restarts workers while trials are queued, and when a worker dies
/// requeues its trial (attempt + 1, up to `maxAttempts`, then failed with the exit status or
/// signal and the tail of its log). On SIGINT/SIGTERM it asks the workers to stop (their trials
/// go back to the queue) and returns. Running it again resumes.
public final class SweepScheduler {
  /// Options of a run.
  public struct Options: Sendable {
    /// Worker processes.
    public var workers = 2
    /// BLAS threads per worker.
    public var threads = 1
    /// Seconds without heartbeat before a trial is taken from its worker.
    public var grace = 60.0
    /// Seconds between worker heartbeats.
    public var heartbeatInterval = 2.0
    /// Attempts per trial before it fails for good.
    public var maxAttempts = 3
    /// Dataset folder.
    public var dataDirectory: String?
    /// Verify dataset checksums.
    public var verify = true
    /// The most memory one trial may use (bytes), passed to the workers.
    public var memoryLimit: Int?
    /// Open-ended sweeps (bayes, random without run_cap): stop after this many configurations.
    public var maxConfigurations: Int?

    /// Default options.
    public init() {}
  }

  /// A finished trial, as reported to the progress callback.
  public struct Event: Sendable {
    /// The trial.
    public let trial: TrialRecord
    /// Its last metrics by name.
    public let finalMetrics: [String: Double]
  }

  let store: SweepStore
  let sweep: SweepRecord
  let options: Options
  let executable: String
  /// What workers get as `--db`: the location as given (a URL keeps its password).
  let databaseArgument: String
  private var children: [Int32: (process: Process, log: String, started: Date)] = [:]
  private var workerCounter = 0
  /// Workers in a row that failed within ``quickFailureSeconds`` of starting, and when the next
  /// may start (doubling back-off), so a worker that cannot start is not respawned forever.
  private var quickFailures = 0
  private var nextStart = Date.distantPast
  static let quickFailureSeconds = 5.0
  static let quickFailureLimit = 5

  /// Creates a scheduler for `sweep` in `store`, starting workers from `executable`.
  public init(
    store: SweepStore, sweep: SweepRecord, options: Options, executable: String,
    databaseArgument: String
  ) {
    self.databaseArgument = databaseArgument
    self.store = store
    self.sweep = sweep
    self.options = options
    self.executable = executable
  }

  static func isAlive(_ pid: Int) -> Bool {
    kill(pid_t(pid), 0) == 0 || errno == EPERM
  }

  /// Runs until no trial is queued or running; `progress` is called about 4 times a second
  /// with the counts and every newly finished trial. Returns whether it was interrupted.
  public func run(progress: ([TrialState: Int], [Event]) -> Void) throws(StoreError) -> Bool {
    let host = ProcessInfo.processInfo.hostName
    _ = try store.recoverLostTrials(
      sweepID: sweep.id, grace: options.grace, maxAttempts: options.maxAttempts, localHost: host,
      isAlive: Self.isAlive)
    var reported = Set(
      try store.trials(sweepID: sweep.id).filter { $0.state != .queued && $0.state != .running }
        .map(\.id))
    var lastRecovery = Date()
    var interrupted = false
    let suggester = TrialSuggester(store: store, sweep: sweep)
    let file = try? ExperimentFile(text: sweep.fileText, path: sweep.filePath)
    var targetReached = false
    var lastTargetCheck = Date.distantPast
    var exhausted = false
    while true {
      if StopSignal.isRequested {
        interrupted = true
        stopChildren()
      }
      try reapChildren(host: host)
      if Date().timeIntervalSince(lastRecovery) > max(1, options.grace / 4) {
        lastRecovery = Date()
        let lost = try store.recoverLostTrials(
          sweepID: sweep.id, grace: options.grace, maxAttempts: options.maxAttempts,
          localHost: host,
          isAlive: Self.isAlive)
        for trial in lost {
          if let pid = trial.workerPID, children[Int32(pid)] != nil { kill(pid_t(pid), SIGKILL) }
        }
      }
      if let file, file.metricTarget != nil, !targetReached,
        Date().timeIntervalSince(lastTargetCheck) > 1
      {
        lastTargetCheck = Date()
        targetReached = try TrialSuggester.targetReached(file: file, sweep: sweep, store: store)
        if targetReached { notice("metric.target reached: no new trials start") }
      }
      var counts = try store.counts(sweepID: sweep.id)
      if let suggester, !interrupted, !targetReached, !exhausted {
        // Open-ended sweeps: one queued configuration per free worker.
        while (counts[.queued] ?? 0) < max(0, options.workers - (counts[.running] ?? 0)) {
          do {
            let outcome = try suggester.enqueueNext(maxConfigurations: options.maxConfigurations)
            if outcome == .noNewConfiguration {
              notice(
                "the last 100 suggestions were configurations the sweep already has; stopping "
                  + "(the search space is exhausted or the search has converged)")
            }
            guard outcome == .added else {
              exhausted = true
              break
            }
          } catch let error as StoreError {
            throw error
          } catch {
            throw StoreError(path: store.location, message: "cannot suggest a trial: \(error)")
          }
          counts = try store.counts(sweepID: sweep.id)
        }
      }
      let queued = targetReached ? 0 : counts[.queued] ?? 0
      let running = counts[.running] ?? 0
      if !interrupted {
        // Workers first: reading the finished trials for the progress display can wait.
        let wanted = queued > 0 ? min(options.workers, queued + running) : 0
        while children.count < wanted && Date() >= nextStart { try startWorker() }
      }
      let finished = try store.trials(sweepID: sweep.id).filter {
        [.completed, .failed, .pruned].contains($0.state)
          && !reported.contains($0.id)
      }
      var events: [Event] = []
      for trial in finished {
        reported.insert(trial.id)
        let metrics = try store.metrics(trialID: trial.id)
        let lastEpoch = metrics.map(\.epoch).max() ?? 0
        events.append(
          Event(
            trial: trial,
            finalMetrics: Dictionary(
              metrics.filter { $0.epoch == lastEpoch }.map { ($0.name, $0.value) },
              uniquingKeysWith: { $1 })))
      }
      progress(counts, events)
      if interrupted {
        if children.isEmpty { break }
      } else if queued == 0 && running == 0 && children.isEmpty
        && (suggester == nil || exhausted || targetReached)
      {
        break
      }
      waitForChange(seconds: 0.25)
    }
    if interrupted {
      // Workers released their trials; requeue any whose worker was killed before it could.
      _ = try store.recoverLostTrials(
        sweepID: sweep.id, grace: .infinity, maxAttempts: Int.max, localHost: host,
        isAlive: Self.isAlive,
        reason: { _ in "interrupted" })
    }
    return interrupted
  }

  private func startWorker() throws(StoreError) {
    workerCounter += 1
    let logDirectory = URL(fileURLWithPath: try store.outputDirectory(sweep: sweep.name))
      .appendingPathComponent("logs")
    let logPath = logDirectory.appendingPathComponent(
      "worker-\(ProcessInfo.processInfo.processIdentifier)-\(workerCounter).log"
    ).path
    do {
      try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
      if !FileManager.default.fileExists(atPath: logPath) {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
      }
      guard let log = FileHandle(forWritingAtPath: logPath) else {
        throw StoreError(path: logPath, message: "cannot open the worker log")
      }
      log.seekToEndOfFile()
      let process = Process()
      process.executableURL = URL(fileURLWithPath: executable)
      var arguments = [
        // `--option=value`: a value can never be read as an option of its own.
        "worker", "--db=\(databaseArgument)", "--sweep=\(sweep.name)",
        "--threads=\(options.threads)", "--heartbeat-interval=\(options.heartbeatInterval)",
        "--parent-pid=\(ProcessInfo.processInfo.processIdentifier)",
      ]
      if let directory = options.dataDirectory { arguments.append("--data-dir=\(directory)") }
      if !options.verify { arguments.append("--no-verify") }
      if let limit = options.memoryLimit { arguments.append("--memory-limit=\(limit)") }
      process.arguments = arguments
      // OpenBLAS sizes its thread pool when it loads; without this, idle pool threads of every
      // worker spin on the cores the other workers need.
      var environment = ProcessInfo.processInfo.environment
      environment["OPENBLAS_NUM_THREADS"] = String(options.threads)
      process.environment = environment
      process.standardOutput = log
      process.standardError = log
      process.standardInput = FileHandle.nullDevice
      try process.run()
      children[process.processIdentifier] = (process, logPath, Date())
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(
        path: store.location, message: "cannot start a worker (\(executable)): \(error)")
    }
  }

  /// Handles workers that exited: a crash requeues (or fails) the trial it was running. Workers
  /// that fail right after starting delay the next start (0.5, 1, 2, 4 s); the fifth in a row
  /// stops the sweep with the last one's log.
  private func reapChildren(host: String) throws(StoreError) {
    for (pid, child) in children where !child.process.isRunning {
      children[pid] = nil
      let status = child.process.terminationStatus
      let signaled = child.process.terminationReason == .uncaughtSignal
      guard signaled || status != 0 else {
        quickFailures = 0
        continue
      }
      let how = signaled ? "killed by signal \(status)" : "exited with status \(status)"
      let tail = Self.tail(of: child.log)
      if Date().timeIntervalSince(child.started) < Self.quickFailureSeconds {
        quickFailures += 1
        if quickFailures >= Self.quickFailureLimit {
          stopChildren()
          throw StoreError(
            path: child.log,
            message:
              "\(quickFailures) workers in a row \(how) right after starting; stopping. The last "
              + "worker's log:\n\(tail)")
        }
        nextStart = Date().addingTimeInterval(0.5 * Double(1 << (quickFailures - 1)))
      } else {
        quickFailures = 0
      }
      _ = try store.recoverLostTrials(
        sweepID: sweep.id, grace: .infinity, maxAttempts: options.maxAttempts, localHost: host,
        isAlive: { $0 != Int(pid) && Self.isAlive($0) },
        reason: { trial in
          trial.workerPID == Int(pid)
            ? "worker \(pid) \(how)" + (tail.isEmpty ? "" : "; log tail:\n\(tail)") : nil
        })
    }
  }

  /// Sleeps up to `seconds`, returning early (within ~5 ms) when a worker exits or a stop is
  /// requested, so the last trial's end is not followed by a full polling period.
  private func waitForChange(seconds: Double) {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if StopSignal.isRequested || children.values.contains(where: { !$0.process.isRunning }) {
        return
      }
      usleep(5_000)
    }
  }

  private func stopChildren() {
    for (pid, _) in children { kill(pid, SIGTERM) }
    let deadline = Date().addingTimeInterval(30)
    while children.values.contains(where: { $0.process.isRunning }) && Date() < deadline {
      usleep(100_000)
    }
    for (pid, child) in children where child.process.isRunning { kill(pid, SIGKILL) }
    for (_, child) in children { child.process.waitUntilExit() }
    children.removeAll()
  }

  /// Messages for the user (the target reached, …), printed by the caller.
  public private(set) var notices: [String] = []
  private func notice(_ text: String) { notices.append(text) }

  /// The last ~2 KB of a log file.
  static func tail(of path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "" }
    return String(decoding: data.suffix(2048), as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
  }
}
