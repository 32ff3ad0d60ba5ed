import Foundation
import KANLib
import Testing

@testable import Sweep

@Suite struct SweepStoreTests {
  static func temporaryStore() throws -> (SweepStore, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "store-\(UUID().uuidString)")
    return (try SweepStore(path: directory.appendingPathComponent("sweeps.sqlite").path), directory)
  }

  static let text = """
    name: s
    parameters:
      dataset: {value: toy_xy}
      grid_size: {values: [3, 5]}
      epochs: {value: 1}
    """

  @Test func resubmittingAddsNothingAndEditingAddsOnlyNewTrials() throws {
    let (store, directory) = try Self.temporaryStore()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = try store.submit(try ExperimentFile(text: Self.text, path: "s.yaml"))
    #expect(first.added == 2 && first.planned == 2)
    #expect(try store.submit(try ExperimentFile(text: Self.text, path: "s.yaml")).added == 0)
    let edited = Self.text.replacingOccurrences(of: "[3, 5]", with: "[3, 5, 7]")
    let second = try store.submit(try ExperimentFile(text: edited, path: "s.yaml"))
    #expect(second.added == 1)
    let trials = try store.trials(sweepID: second.sweepID)
    #expect(trials.map(\.number) == [0, 1, 2])
    #expect(trials.last?.trainingConfiguration?.gridSize == 7)
    #expect(try store.sweep(named: "s")?.fileText == edited)
  }

  @Test func claimsAreExclusiveAndMetricsKeepNonFiniteValuesExactly() throws {
    let (store, directory) = try Self.temporaryStore()
    defer { try? FileManager.default.removeItem(at: directory) }
    let submission = try store.submit(try ExperimentFile(text: Self.text, path: "s.yaml"))
    let worker = WorkerIdentity(host: "h", pid: 1)
    let other = WorkerIdentity(host: "h", pid: 2)
    let a = try #require(try store.claim(sweepID: submission.sweepID, worker: worker))
    let b = try #require(try store.claim(sweepID: submission.sweepID, worker: other))
    #expect(a.id != b.id && a.state == .running && a.attempt == 1)
    #expect(try store.claim(sweepID: submission.sweepID, worker: worker) == nil)
    let metrics = EpochMetrics(
      epoch: 1, trainLoss: .nan, testLoss: .infinity, testAccuracy: nil, testRMSE: -.infinity,
      learningRate: 0.1, seconds: 1, samplesPerSecond: 2)
    try store.recordEpoch(metrics, trial: a, worker: worker)
    let stored = Dictionary(
      uniqueKeysWithValues: try store.metrics(trialID: a.id).map { ($0.name, $0.value) })
    #expect(stored["train_loss"]?.isNaN == true)
    #expect(stored["test_loss"] == .infinity && stored["test_rmse"] == -.infinity)
    #expect(stored["learning_rate"] == Double(Float(0.1)))
    // Another worker cannot complete a trial it does not own.
    #expect(
      !(try store.complete(
        a, worker: other, checkpoint: ("p", "h", 1), parameterCount: 1, trainingSeconds: 1)))
    #expect(
      try store.complete(
        a, worker: worker, checkpoint: ("p", "h", 1), parameterCount: 1, trainingSeconds: 1))
  }

  @Test func lostTrialsAreRequeuedThenFailedAfterMaxAttempts() throws {
    let (store, directory) = try Self.temporaryStore()
    defer { try? FileManager.default.removeItem(at: directory) }
    let submission = try store.submit(try ExperimentFile(text: Self.text, path: "s.yaml"))
    let dead = WorkerIdentity(host: "here", pid: 999_999)
    for attempt in 1...2 {
      let trial = try #require(try store.claim(sweepID: submission.sweepID, worker: dead))
      #expect(trial.attempt == attempt)
      let recovered = try store.recoverLostTrials(
        sweepID: submission.sweepID, grace: 3600, maxAttempts: 2, localHost: "here",
        isAlive: { _ in false })
      #expect(recovered.map(\.id) == [trial.id])
      let after = try #require(try store.trial(sweepID: submission.sweepID, number: trial.number))
      #expect(after.state == (attempt < 2 ? .queued : .failed))
      #expect(after.error?.contains("died") == true)
    }
    // A live worker on another host keeps its trial until the heartbeat is stale.
    let remote = WorkerIdentity(host: "elsewhere", pid: 5)
    _ = try #require(try store.claim(sweepID: submission.sweepID, worker: remote))
    let kept = try store.recoverLostTrials(
      sweepID: submission.sweepID, grace: 3600, maxAttempts: 2, localHost: "here",
      isAlive: { _ in false })
    #expect(kept.isEmpty)
    let stale = try store.recoverLostTrials(
      sweepID: submission.sweepID, grace: -1, maxAttempts: 2, localHost: "here",
      isAlive: { _ in true })
    #expect(stale.count == 1)
  }
}
