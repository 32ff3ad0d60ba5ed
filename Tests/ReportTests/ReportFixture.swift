import Foundation
import GRDB
import KANLib

@testable import Sweep

/// A small, fully deterministic store: one finished sweep with a failed trial, and one sweep
/// still in progress. Metrics are written directly (no training), timestamps are fixed.
enum ReportFixture {
  static let finished = """
    name: fixture-grid
    description: KAN grid × order with an MLP baseline & a failure
    seeds: [0, 1]
    parameters:
      dataset: {value: toy_exp_sin}
      model: {values: [kan, mlp]}
      grid_size: {values: [3, 5]}
      spline_order: {values: [1, 3]}
      epochs: {value: 3}
    """

  static let inProgress = """
    name: fixture-running
    parameters:
      dataset: {value: mnist}
      grid_size: {values: [5, 10, 20]}
      epochs: {value: 2}
    """

  static func makeStore(at directory: URL) throws -> SweepStore {
    let store = try SweepStore(path: directory.appendingPathComponent("fixture.sqlite").path)
    try populate(store, text: finished, failing: [3])
    try populate(store, text: inProgress, failing: [], leaveQueued: 1)
    return store
  }

  static func populate(_ store: SweepStore, text: String, failing: Set<Int>, leaveQueued: Int = 0)
    throws
  {
    let file = try ExperimentFile(text: text, path: "fixture.yaml")
    let submission = try store.submit(file)
    let worker = WorkerIdentity(host: "fixture-host", pid: 42)
    let environment = TrialEnvironment(
      toolVersion: "0.1.0", gitCommit: "0123456789abcdef", openBLASCore: "SkylakeX", blasThreads: 1,
      cpuModel: "Fixture CPU", host: "fixture-host", operatingSystem: "FixtureOS 1")
    let trials = try store.trials(sweepID: submission.sweepID)
    for (index, _) in trials.enumerated() where index < trials.count - leaveQueued {
      guard let trial = try store.claim(sweepID: submission.sweepID, worker: worker) else { break }
      try store.recordEnvironment(environment, trial: trial, worker: worker)
      let configuration = try require(trial.trainingConfiguration)
      let quality =
        Double(configuration.gridSize) * 0.01 + Double(configuration.splineOrder) * 0.02
        + (configuration.model == .mlp ? -0.05 : 0) + Double(configuration.seed) * 0.003
      let epochs =
        index == trials.count - leaveQueued - 1 && leaveQueued > 0 ? 1 : configuration.epochs
      for epoch in 1...epochs {
        let decay = 1 / Double(epoch + 1)
        let accuracy = configuration.dataset.isClassification ? 0.8 + quality * (1 - decay) : nil
        let rmse = configuration.dataset.isClassification ? nil : 0.5 - quality * (1 - decay)
        var metrics = EpochMetrics(
          epoch: epoch, trainLoss: Float(0.4 * decay), testLoss: Float(0.45 * decay),
          testAccuracy: accuracy.map { Float($0) }, testRMSE: rmse.map { Float($0) },
          learningRate: 0.001,
          seconds: 0.5 + Double(configuration.gridSize) * 0.05, samplesPerSecond: 1000)
        // Validation values a little better than the test values (the split the sweep ranks on).
        metrics.validationLoss = Float(0.44 * decay)
        metrics.validationAccuracy = accuracy.map { Float($0 + 0.004) }
        metrics.validationRMSE = rmse.map { Float($0 - 0.004) }
        try store.recordEpoch(metrics, trial: trial, worker: worker)
      }
      if failing.contains(trial.number) {
        try store.fail(
          trial, worker: worker, reason: "diverged: training loss became nan at epoch 2, batch 7")
      } else if epochs == configuration.epochs {
        let parameters =
          configuration.model == .kan
          ? 10 * (configuration.gridSize + configuration.splineOrder) : 40
        try store.complete(
          trial, worker: worker,
          checkpoint: (
            "checkpoints/trial-\(trial.number).safetensors", String(repeating: "ab", count: 32),
            1234
          ),
          parameterCount: parameters, trainingSeconds: 1.5)
      }
    }
    try store.write { db in
      try db.execute(
        """
        UPDATE trial SET started_at = 1800000000 + number * 10, heartbeat_at = 1800000005 + number * 10,
          finished_at = CASE WHEN state IN ('completed', 'failed') THEN 1800000008 + number * 10 END
        WHERE sweep_id = ?
        """, [submission.sweepID])
      try db.execute("UPDATE sweep SET created_at = 1800000000")
    }
  }

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

struct FixtureFailure: Error {}

func require<T>(_ value: T?) throws -> T {
  guard let value else { throw FixtureFailure() }
  return value
}
