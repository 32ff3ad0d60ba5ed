import Foundation
import KANLib
import TestServices
import Testing

@testable import Sweep

/// One conformance suite for every storage backend: each test body takes the backend and runs
/// unchanged against SQLite (always) and PostgreSQL (when `KAN_PG_URL` names a database; reported
/// as skipped otherwise, and required under CI).
enum StoreConformance {
  enum Backend: String, CaseIterable, Sendable { case sqlite, postgres }

  static func open(_ backend: Backend) throws -> SweepStore {
    switch backend {
    case .sqlite:
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "conformance-\(UUID().uuidString)")
      return try SweepStore(path: directory.appendingPathComponent("s.sqlite").path)
    case .postgres:
      return try SweepStore(postgresURL: try TestService.postgres.location())
    }
  }

  /// A sweep file with a unique name (the PostgreSQL database is shared by the tests).
  static func file(_ values: String = "[3, 5]") throws -> ExperimentFile {
    let name = "conf-\(UUID().uuidString.prefix(8))"
    return try ExperimentFile(
      text:
        "name: \(name)\nparameters:\n  dataset: {value: toy_xy}\n  grid_size: {values: \(values)}\n  epochs: {value: 1}\n",
      path: "\(name).yaml")
  }

  static func submissionIsIdempotentAndEditsAddOnlyNewTrials(_ backend: Backend) throws {
    let store = try Self.open(backend)
    let file = try Self.file()
    let first = try store.submit(file)
    #expect(first.added == 2 && first.planned == 2)
    #expect(try store.submit(file).added == 0)
    let edited = try ExperimentFile(
      text: file.text.replacingOccurrences(of: "[3, 5]", with: "[3, 5, 7]"), path: file.path)
    #expect(try store.submit(edited).added == 1)
    let trials = try store.trials(sweepID: first.sweepID)
    #expect(trials.map(\.number) == [0, 1, 2] && trials.allSatisfy { $0.state == .queued })
    #expect(trials.last?.trainingConfiguration?.gridSize == 7)
    #expect(try store.sweep(named: file.name)?.fileText == edited.text)
    #expect(try store.sweeps().contains { $0.name == file.name })
    #expect(try store.counts(sweepID: first.sweepID)[.queued] == 3)
  }

  /// What a worker folds into its claim and its completion (one transaction each).
  static func claimStoresTheEnvironmentAndCompletionTheFinalEpoch(_ backend: Backend) throws {
    let store = try Self.open(backend)
    let submission = try store.submit(try Self.file())
    let worker = WorkerIdentity(host: "h", pid: 1)
    let other = WorkerIdentity(host: "h", pid: 2)
    let environment = TrialEnvironment(
      toolVersion: "t", gitCommit: "c", openBLASCore: "core", blasThreads: 2, cpuModel: "cpu",
      host: "h", operatingSystem: "os", dataDirectory: "/data/images")
    let trial = try #require(
      try store.claim(sweepID: submission.sweepID, worker: worker, environment: environment))
    // Schema v4: the data folder survives the round trip, and the report's bulk read has it.
    #expect(try store.environment(trialID: trial.id) == environment)
    let runs = try store.reportRows(sweepID: submission.sweepID).runs
    #expect(
      runs.count == 1 && runs[0].blasThreads == 2 && runs[0].dataDirectory == "/data/images")
    let first = EpochMetrics(
      epoch: 1, trainLoss: 1, testLoss: 2, testAccuracy: 0.5, testRMSE: nil, learningRate: 0.1,
      seconds: 1, samplesPerSecond: 2)
    try store.recordEpoch(first, trial: trial, worker: worker)
    var last = first
    last.epoch = 2
    last.trainLoss = .nan
    last.testLoss = -.infinity
    // Another worker's completion writes nothing, not even the metrics.
    #expect(
      !(try store.complete(
        trial, worker: other, checkpoint: ("p", "s", 1), parameterCount: 3, trainingSeconds: 1,
        finalEpoch: last)))
    #expect(try store.metrics(trialID: trial.id).allSatisfy { $0.epoch == 1 })
    #expect(
      try store.complete(
        trial, worker: worker, checkpoint: ("p", "s", 1), parameterCount: 3, trainingSeconds: 1,
        finalEpoch: last))
    let second = try store.metrics(trialID: trial.id).filter { $0.epoch == 2 }
    let values = Dictionary(uniqueKeysWithValues: second.map { ($0.name, $0.value) })
    #expect(values["train_loss"]?.isNaN == true && values["test_loss"] == -.infinity)
    #expect(values["test_accuracy"] == Double(Float(0.5)))
    #expect(try store.trial(sweepID: submission.sweepID, number: trial.number)?.state == .completed)
  }

  static func lifecycleKeepsValuesExactAndFencesOtherWorkers(_ backend: Backend) throws {
    let store = try Self.open(backend)
    let submission = try store.submit(try Self.file())
    let worker = WorkerIdentity(host: "h", pid: 1)
    let other = WorkerIdentity(host: "h", pid: 2)
    let a = try #require(try store.claim(sweepID: submission.sweepID, worker: worker))
    let b = try #require(try store.claim(sweepID: submission.sweepID, worker: other))
    #expect(a.id != b.id && a.attempt == 1 && a.state == .running)
    #expect(try store.claim(sweepID: submission.sweepID, worker: worker) == nil)
    #expect(try store.heartbeat(a, worker: worker))
    #expect(!(try store.heartbeat(a, worker: other)))
    let metrics = EpochMetrics(
      epoch: 1, trainLoss: .nan, testLoss: .infinity, testAccuracy: nil, testRMSE: -.infinity,
      learningRate: 0.1, seconds: 1, samplesPerSecond: 2)
    try store.recordEpoch(metrics, trial: a, worker: worker)
    let stored = Dictionary(
      uniqueKeysWithValues: try store.metrics(trialID: a.id).map { ($0.name, $0.value) })
    #expect(stored["train_loss"]?.isNaN == true && stored["test_loss"] == .infinity)
    #expect(stored["test_rmse"] == -.infinity && stored["learning_rate"] == Double(Float(0.1)))
    let environment = TrialEnvironment(
      toolVersion: "t", gitCommit: nil, openBLASCore: "core", blasThreads: 1, cpuModel: "cpu",
      host: "h",
      operatingSystem: "os")
    // Every write is fenced by the claimant: another worker can neither add metrics nor
    // replace the environment.
    #expect(!(try store.recordEnvironment(environment, trial: a, worker: other)))
    #expect(try store.environment(trialID: a.id) == nil)
    var foreign = metrics
    foreign.epoch = 9
    #expect(!(try store.recordEpoch(foreign, trial: a, worker: other)))
    #expect(try store.metrics(trialID: a.id).allSatisfy { $0.epoch == 1 })
    #expect(try store.recordEnvironment(environment, trial: a, worker: worker))
    #expect(try store.environment(trialID: a.id) == environment)
    #expect(
      !(try store.complete(
        a, worker: other, checkpoint: ("p", "s", 1), parameterCount: 3, trainingSeconds: 1)))
    #expect(
      try store.complete(
        a, worker: worker, checkpoint: ("p", "s", 1), parameterCount: 3, trainingSeconds: 1))
    #expect(try store.checkpoint(trialID: a.id)?.sha256 == "s")
    try store.fail(b, worker: other, reason: "boom")
    try store.release(b, worker: other, reason: "too late")  // failed trials are not released
    let after = try store.trials(sweepID: submission.sweepID)
    #expect(after.map(\.state) == [.completed, .failed])
    #expect(after[1].error == "boom" && after[0].parameterCount == 3)
    let rows = try store.reportRows(sweepID: submission.sweepID)
    #expect(rows.metrics.count == 6 && rows.checkpoints.count == 1 && rows.environments.count == 1)
  }

  static func lostTrialsAreRequeuedThenFailed(_ backend: Backend) throws {
    let store = try Self.open(backend)
    let submission = try store.submit(try Self.file("[3]"))
    let dead = WorkerIdentity(host: "here", pid: 999_999)
    for attempt in 1...2 {
      let trial = try #require(try store.claim(sweepID: submission.sweepID, worker: dead))
      #expect(trial.attempt == attempt)
      let recovered = try store.recoverLostTrials(
        sweepID: submission.sweepID, grace: 3600, maxAttempts: 2, localHost: "here",
        isAlive: { _ in false })
      #expect(recovered.map(\.id) == [trial.id])
      #expect(
        try store.trial(sweepID: submission.sweepID, number: 0)?.state
          == (attempt < 2 ? .queued : .failed))
    }
    let second = try store.submit(try Self.file("[4]"))
    _ = try #require(
      try store.claim(sweepID: second.sweepID, worker: WorkerIdentity(host: "far", pid: 5)))
    #expect(
      try store.recoverLostTrials(
        sweepID: second.sweepID, grace: 3600, maxAttempts: 3, localHost: "here",
        isAlive: { _ in false }
      ).isEmpty)
    #expect(
      try store.recoverLostTrials(
        sweepID: second.sweepID, grace: -1, maxAttempts: 3, localHost: "here",
        isAlive: { _ in true }
      ).count == 1)
  }

  /// Four connections claim concurrently: every trial is claimed exactly once.
  static func concurrentClaimsNeverShareATrial(_ backend: Backend) throws {
    let first = try Self.open(backend)
    let file = try Self.file(
      "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]")
    let submission = try first.submit(file)
    let location = backend == .sqlite ? first.location : (try TestService.postgres.location())
    let claimed = ClaimLog()
    DispatchQueue.concurrentPerform(iterations: 4) { index in
      do {
        let store = try SweepStore.open(location)
        let worker = WorkerIdentity(host: "w", pid: 100 + index)
        while let trial = try store.claim(sweepID: submission.sweepID, worker: worker) {
          claimed.add(trial.id)
        }
      } catch {
        claimed.fail("\(error)")
      }
    }
    #expect(claimed.errors.isEmpty, "\(claimed.errors)")
    #expect(claimed.ids.count == 20 && Set(claimed.ids).count == 20)
  }
}

final class ClaimLog: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var ids: [Int64] = []
  private(set) var errors: [String] = []
  func add(_ id: Int64) { lock.withLock { ids.append(id) } }
  func fail(_ text: String) { lock.withLock { errors.append(text) } }
}

@Suite struct SQLiteStoreConformanceTests {
  let backend = StoreConformance.Backend.sqlite
  @Test func submissionIsIdempotentAndEditsAddOnlyNewTrials() throws {
    try StoreConformance.submissionIsIdempotentAndEditsAddOnlyNewTrials(backend)
  }
  @Test func claimStoresTheEnvironmentAndCompletionTheFinalEpoch() throws {
    try StoreConformance.claimStoresTheEnvironmentAndCompletionTheFinalEpoch(backend)
  }
  @Test func lifecycleKeepsValuesExactAndFencesOtherWorkers() throws {
    try StoreConformance.lifecycleKeepsValuesExactAndFencesOtherWorkers(backend)
  }
  @Test func lostTrialsAreRequeuedThenFailed() throws {
    try StoreConformance.lostTrialsAreRequeuedThenFailed(backend)
  }
  @Test func concurrentClaimsNeverShareATrial() throws {
    try StoreConformance.concurrentClaimsNeverShareATrial(backend)
  }
}

@Suite(.serialized, TestService.postgres.condition) struct PostgresStoreConformanceTests {
  let backend = StoreConformance.Backend.postgres
  @Test func submissionIsIdempotentAndEditsAddOnlyNewTrials() throws {
    try StoreConformance.submissionIsIdempotentAndEditsAddOnlyNewTrials(backend)
  }
  @Test func claimStoresTheEnvironmentAndCompletionTheFinalEpoch() throws {
    try StoreConformance.claimStoresTheEnvironmentAndCompletionTheFinalEpoch(backend)
  }
  @Test func lifecycleKeepsValuesExactAndFencesOtherWorkers() throws {
    try StoreConformance.lifecycleKeepsValuesExactAndFencesOtherWorkers(backend)
  }
  @Test func lostTrialsAreRequeuedThenFailed() throws {
    try StoreConformance.lostTrialsAreRequeuedThenFailed(backend)
  }
  @Test func concurrentClaimsNeverShareATrial() throws {
    try StoreConformance.concurrentClaimsNeverShareATrial(backend)
  }
}
