import Foundation
import KANLib
import Testing

@testable import Sweep

/// A worker that lost its trial can no longer change it: not its row, not its file.
@Suite struct WorkerSafetyTests {
  static func store() throws -> (SweepStore, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "worker-safety-\(UUID().uuidString)")
    let store = try SweepStore(path: directory.appendingPathComponent("s.sqlite").path)
    let file = try ExperimentFile(
      text: "name: w\nparameters:\n  dataset: {value: toy_xy}\n  hidden_layers: {value: [2]}\n",
      path: "w.yaml")
    _ = try store.submit(file)
    return (store, directory)
  }

  /// The scenario of a worker stopped past the grace (SIGSTOP) and resumed after another worker
  /// completed its trial: its completion is refused and the completed file keeps its bytes.
  @Test func aStaleWorkerNeverReplacesACompletedCheckpoint() throws {
    let (store, directory) = try Self.store()
    defer { try? FileManager.default.removeItem(at: directory) }
    let stale = SweepWorker(store: store, options: .init()) { _ in }
    let sweep = try #require(try store.sweep(named: "w"))
    let mine = try #require(try store.claim(sweepID: sweep.id, worker: stale.identity))
    // Its heartbeat goes stale: the trial is requeued and completed by another worker.
    let recovered = try store.recoverLostTrials(
      sweepID: sweep.id, grace: -1, maxAttempts: 3, localHost: "elsewhere", isAlive: { _ in true })
    #expect(recovered.count == 1)
    let other = WorkerIdentity(host: "other", pid: 4242)
    let theirs = try #require(try store.claim(sweepID: sweep.id, worker: other))
    let folder = directory.appendingPathComponent("w/checkpoints")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("trial-0.safetensors").path
    let completedBytes = Data("the completed trial's checkpoint".utf8)
    try completedBytes.write(to: URL(fileURLWithPath: path))
    #expect(
      try store.complete(
        theirs, worker: other,
        checkpoint: (path, Checkpoint.sha256Hex([UInt8](completedBytes)), completedBytes.count),
        parameterCount: 1, trainingSeconds: 1))
    // The stale worker wakes up and finishes its copy.
    let configuration = try #require(mine.trainingConfiguration)
    let network = KAN(widths: configuration.layerWidths)
    let outcome = try stale.finish(
      mine, network: network, configuration: configuration, folder: folder, seconds: 1,
      finalEpoch: nil)
    #expect(outcome == .takenOver)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == completedBytes)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["trial-0.safetensors"])
    #expect(
      try store.checkpoint(trialID: mine.id)?.sha256
        == Checkpoint.sha256Hex([UInt8](completedBytes)))
  }

  /// Workers that fail right after starting are not respawned forever: the scheduler backs off and
  /// stops with the workers' log.
  @Test func workersThatCannotStartStopTheSweep() throws {
    let (store, directory) = try Self.store()
    defer { try? FileManager.default.removeItem(at: directory) }
    let sweep = try #require(try store.sweep(named: "w"))
    var options = SweepScheduler.Options()
    options.workers = 1
    let scheduler = SweepScheduler(
      store: store, sweep: sweep, options: options, executable: "/bin/false",
      databaseArgument: store.location)
    let start = Date()
    #expect {
      _ = try scheduler.run { _, _ in }
    } throws: { error in
      "\(error)".contains("5 workers in a row exited with status 1 right after starting")
    }
    let seconds = Date().timeIntervalSince(start)
    #expect(seconds > 7 && seconds < 30, "back-off 0.5 + 1 + 2 + 4 s, took \(seconds)")
    let logs = try FileManager.default.contentsOfDirectory(
      atPath: directory.appendingPathComponent("w/logs").path)
    #expect(logs.count == 5)
  }
}
