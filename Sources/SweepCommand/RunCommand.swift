import ArgumentParser
import Foundation
import KANLib
import Sweep

/// `sweep run FILE`: enqueue, then train every queued trial in worker processes.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a sweep file: enqueue its new trials and train them in worker processes.",
    discussion: """
      Running the same command again resumes: finished trials are kept, trials whose worker \
      died are requeued, and only configurations added to the file are enqueued. Ctrl-C stops \
      the workers and puts their trials back in the queue.
      """)

  @Argument(help: "The experiment file (YAML).")
  var file: String
  @OptionGroup var store: StoreOptions
  @Option(parsing: .unconditional, help: "Worker processes. (default: one per core)")
  var workers: Int?
  @Option(parsing: .unconditional, help: "OpenBLAS threads per worker (results depend on it).")
  var threads = 1
  @Option(
    name: .customLong("max-attempts"), parsing: .unconditional,
    help: "Attempts per trial when workers die.")
  var maxAttempts = 3
  @Option(
    parsing: .unconditional,
    help: "Seconds without heartbeat before a trial is taken from its worker.")
  var grace: Double = 60
  @Option(
    name: .customLong("heartbeat-interval"), parsing: .unconditional,
    help: "Seconds between worker heartbeats.")
  var heartbeatInterval: Double = 2
  @OptionGroup var data: DataOptions
  @OptionGroup var memory: MemoryOptions
  @Flag(help: "Only one line per finished trial, even on a terminal.")
  var plain = false
  @Option(
    name: .customLong("max-trials"),
    parsing: .unconditional,
    help: "Bayes, and random search without run_cap: stop after this many configurations.")
  var maxTrials: Int?
  @Flag(
    name: .customLong("retry-failed"),
    help: "Put the sweep's failed trials back in the queue (their errors stay in the history).")
  var retryFailed = false

  func validate() throws {
    try check("--workers", workerCount, in: 1...512)
    try check("--threads", threads, in: 1...512)
    try check("--max-attempts", maxAttempts, in: 1...1000)
    try check("--heartbeat-interval", heartbeatInterval, in: 0.05...3600)
    try check("--grace", grace, in: 0.1...604_800)
    if let maxTrials { try check("--max-trials", maxTrials, in: 1...ExperimentFile.maximumTrials) }
    guard grace > heartbeatInterval else {
      throw ValidationError(
        "--grace (\(grace) s) must exceed --heartbeat-interval (\(heartbeatInterval) s)")
    }
  }

  func run() throws {
    let experiment = try loadExperiment(file)
    let memoryLimit = try memory.limit(workers: workerCount)
    try requireResources(
      of: experiment, dataDirectory: data.dataDirectory, checkData: true, memory: memoryLimit)
    let store = try self.store.open(create: true)
    let submission = try submitReporting(experiment, to: store)
    if retryFailed {
      print(
        "sweep \(experiment.name): \(try store.retryFailed(sweepID: submission.sweepID)) failed trial(s) requeued"
      )
    }
    guard let sweep = try store.sweep(named: experiment.name) else {
      throw CommandFailure("sweep \(experiment.name) was not stored")
    }
    let plan =
      experiment.isOpenEnded
      ? "\(experiment.method.rawValue) search, configurations suggested as workers free up "
        + "(\(experiment.runCap.map { "run_cap \($0)" } ?? maxTrials.map { "--max-trials \($0)" } ?? "until stopped"))"
      : "\(submission.planned) trials planned, \(submission.added) new"
    print(
      "sweep \(sweep.name): \(plan); "
        + "\(workerCount) workers × \(threads) BLAS thread(s), OpenBLAS \(BLAS.coreName), store \(store.location)"
    )
    if let sharing = try Self.otherSchedulers(store, sweep: sweep, grace: grace) {
      print("note: \(sharing)")
    }
    fflush(nil)
    var options = SweepScheduler.Options()
    options.workers = workerCount
    options.maxConfigurations = maxTrials
    options.memoryLimit = memoryLimit.limit.bytes
    options.threads = threads
    options.maxAttempts = maxAttempts
    options.grace = grace
    options.heartbeatInterval = heartbeatInterval
    options.dataDirectory = data.dataDirectory
    options.verify = !data.noVerify
    StopSignal.install()
    let scheduler = SweepScheduler(
      store: store, sweep: sweep, options: options, executable: Self.executablePath(),
      databaseArgument: self.store.db)
    let varying = Set(
      experiment.parameters.filter { ($0.specification.gridValues?.count ?? 2) > 1 }.map(\.name))
    let display = SweepProgress(interactive: !plain && isatty(STDOUT_FILENO) == 1, varying: varying)
    let interrupted = try scheduler.run { counts, events in
      display.update(counts: counts, events: events)
    }
    display.finish()
    for notice in scheduler.notices { print("note: \(notice)") }
    let counts = try store.counts(sweepID: sweep.id)
    print(
      "sweep \(sweep.name): "
        + TrialState.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
    if interrupted {
      print("interrupted: running trials were requeued; run the same command to resume")
      throw ExitCode(130)
    }
    if (counts[.failed] ?? 0) > 0 { throw ExitCode(1) }
  }

  /// A sentence when other schedulers' workers hold live trials of `sweep` (a heartbeat within
  /// `grace` seconds): this scheduler then shares the queue with them, each trial running once.
  static func otherSchedulers(_ store: SweepStore, sweep: SweepRecord, grace: Double) throws
    -> String?
  {
    let now = Date().timeIntervalSince1970
    let live = try store.trials(sweepID: sweep.id).filter {
      $0.state == .running && now - ($0.heartbeatAt ?? 0) < grace
    }
    guard !live.isEmpty else { return nil }
    var workers: [String] = []
    for trial in live {
      let name = "\(trial.workerHost ?? "?") pid \(trial.workerPID.map(String.init) ?? "?")"
      if !workers.contains(name) { workers.append(name) }
    }
    return "another scheduler is working on sweep \(sweep.name) (\(live.count) trial(s) running "
      + "on \(workers.prefix(4).joined(separator: ", ")))); this one shares the queue with it: "
      + "each trial runs once, and either can be stopped without losing work"
  }

  /// `--workers`, or one per core.
  var workerCount: Int { workers ?? ProcessInfo.processInfo.activeProcessorCount }

  static func executablePath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }
}

/// Prints scheduler progress: one line per finished trial and, on a terminal, a bar with ETA.
final class SweepProgress {
  let interactive: Bool
  let varying: Set<String>
  let start = Date()
  private var firstDone: Int?

  init(interactive: Bool, varying: Set<String>) {
    self.interactive = interactive
    self.varying = varying
  }

  func update(counts: [TrialState: Int], events: [SweepScheduler.Event]) {
    if interactive && !events.isEmpty { print("\r\u{1B}[K", terminator: "") }
    for event in events {
      let trial = event.trial
      var text = "trial \(trial.number) \(trial.state.rawValue)"
      for name in ["val_accuracy", "val_rmse", "test_accuracy", "test_rmse"] {
        if let value = event.finalMetrics[name] {
          text += " \(name) \(String(format: "%.5g", value))"
        }
      }
      if let seconds = trial.trainingSeconds { text += String(format: " %.1fs", seconds) }
      text += " " + compactParameters(trial.parameters, only: varying) + " seed \(trial.seed)"
      if trial.state == .failed || trial.state == .pruned, let error = trial.error {
        text += " — " + (error.split(separator: "\n").first.map(String.init) ?? error)
      }
      print(text)
    }
    let total = counts.values.reduce(0, +)
    let done = (counts[.completed] ?? 0) + (counts[.failed] ?? 0) + (counts[.pruned] ?? 0)
    if firstDone == nil { firstDone = done }
    if interactive && total > 0 {
      let width = 30
      let filled = width * done / total
      let bar =
        String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      let elapsed = Date().timeIntervalSince(start)
      let progressed = done - (firstDone ?? 0)
      let eta = progressed > 0 ? elapsed / Double(progressed) * Double(total - done) : 0
      print(
        "\r[\(bar)] \(done)/\(total) done, \(counts[.running] ?? 0) running, \(counts[.failed] ?? 0) failed"
          + (progressed > 0 ? String(format: ", ETA %.0fs ", eta) : " "),
        terminator: "")
    }
    fflush(nil)
  }

  func finish() {
    if interactive { print("") }
  }
}

/// `k=v` pairs of a trial's stored parameter JSON, limited to `only` when it is not empty.
func compactParameters(_ json: String, only: Set<String> = []) -> String {
  guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
  else {
    return json
  }
  return object.keys.sorted().filter { only.isEmpty || only.contains($0) }.map {
    "\($0)=\(object[$0] ?? "")"
  }
  .joined(separator: " ")
}
