import ArgumentParser
import Foundation
import Sweep

/// `sweep worker`: claims and trains queued trials until none is left (started by `sweep run`).
struct WorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker",
    abstract: "Claim and train queued trials until the queue is empty (any machine, any store).",
    discussion: """
      `sweep run` starts these itself. Started by hand (or by Slurm) against a shared PostgreSQL \
      store, a worker also requeues trials whose worker went silent for --grace seconds.
      """)

  @OptionGroup var store: StoreOptions
  @Option(help: "Only trials of this sweep.")
  var sweep: String?
  @Option(parsing: .unconditional, help: "OpenBLAS threads.")
  var threads = 1
  @Option(
    name: .customLong("heartbeat-interval"), parsing: .unconditional,
    help: "Seconds between heartbeats.")
  var heartbeatInterval: Double = 2
  @Option(
    name: .customLong("parent-pid"), parsing: .unconditional,
    help: "Stop when this process is no longer the parent.")
  var parentPID: Int32?
  @Option(
    name: .customLong("max-trials"), parsing: .unconditional, help: "Stop after this many trials.")
  var maxTrials: Int?
  @Option(
    name: .customLong("idle-exit"),
    parsing: .unconditional, help: "With an empty queue, wait this many seconds for new trials.")
  var idleExit: Double = 0
  @Option(
    parsing: .unconditional,
    help: "Seconds without heartbeat before a trial is taken from its worker (standalone workers).")
  var grace: Double = 60
  @Option(
    name: .customLong("max-attempts"),
    parsing: .unconditional, help: "Attempts per trial when workers die.")
  var maxAttempts = 3
  @OptionGroup var data: DataOptions
  @OptionGroup var memory: MemoryOptions

  func validate() throws {
    try check("--threads", threads, in: 1...512)
    try check("--heartbeat-interval", heartbeatInterval, in: 0.05...3600)
    try check("--grace", grace, in: 0.1...604_800)
    try check("--max-attempts", maxAttempts, in: 1...1000)
    try check("--idle-exit", idleExit, in: 0...604_800)
    if let maxTrials { try check("--max-trials", maxTrials, in: 1...Int.max) }
  }

  func run() throws {
    StopSignal.install()
    let store = try self.store.open()
    var options = SweepWorker.Options()
    if let sweep {
      guard let record = try store.sweep(named: sweep) else {
        throw CommandFailure("\(store.location): no sweep named '\(sweep)'")
      }
      options.sweepID = record.id
    }
    options.threads = threads
    options.heartbeatInterval = heartbeatInterval
    options.parentPID = parentPID
    options.maxTrials = maxTrials
    options.idleExit = idleExit
    options.maxAttempts = maxAttempts
    // Under `sweep run` the scheduler recovers lost trials; a standalone worker does it itself.
    options.recoveryGrace = parentPID == nil ? grace : nil
    options.dataDirectory = data.dataDirectory
    options.verify = !data.noVerify
    options.memoryLimit = try memory.limit(workers: 1).limit.bytes
    let pid = ProcessInfo.processInfo.processIdentifier
    let worker = SweepWorker(store: store, options: options) { line in
      print("[worker \(pid)] \(line)")
      fflush(nil)
    }
    let count = try worker.run()
    print("[worker \(pid)] finished \(count) trial(s)")
  }
}
