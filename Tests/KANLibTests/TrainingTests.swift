import Foundation
import KANLib
import Testing

@Suite struct TrainingTests {
  static func configuration(_ dataset: DatasetName = .toyExpSin) -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.dataset = dataset
    configuration.hiddenLayers = [5]
    configuration.epochs = 8
    configuration.batchSize = 32
    configuration.learningRate = 1e-2
    configuration.trainLimit = 512
    configuration.testLimit = 256
    configuration.seed = 3
    return configuration
  }

  final class Recorder: TrainingObserver {
    var epochs: [EpochMetrics] = []
    var batches = 0
    func trainer(didFinishEpoch metrics: EpochMetrics) { epochs.append(metrics) }
    func trainer(
      didFinishBatch batch: Int, of batchCount: Int, epoch: Int, loss: Float,
      samplesPerSecond: Double
    ) { batches += 1 }
  }

  @Test(arguments: [ModelKind.kan, .mlp])
  func shortSyntheticRunReducesTheLoss(model: ModelKind) throws {
    var configuration = Self.configuration()
    configuration.model = model
    let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
    let trainer = try Trainer(configuration: configuration, data: data)
    let before = trainer.evaluate(.test)
    let recorder = Recorder()
    let result = try trainer.run(observer: recorder)
    #expect(result.status == .completed)
    #expect(result.epochs.count == 8 && recorder.epochs.count == 8)
    #expect(recorder.batches == 8 * 16)
    let last = try #require(result.epochs.last)
    let rmse = try #require(last.testRMSE)
    #expect(rmse < (before.rmse ?? 0) * 0.5, "RMSE \(before.rmse ?? 0) → \(rmse)")
    #expect(result.epochs[7].trainLoss < result.epochs[0].trainLoss)
  }

  @Test func gridUpdatesScheduleAndRegularizationRun() throws {
    var configuration = Self.configuration(.toyExp4D)
    configuration.updateGridEvery = 4
    configuration.updateGridEpochs = 2
    configuration.regularizeActivation = 1e-3
    configuration.regularizeEntropy = 1e-3
    configuration.lrSchedule = .cosine
    let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
    let trainer = try Trainer(configuration: configuration, data: data)
    let gridBefore = trainer.network.buffers.storage.array
    let result = try trainer.run()
    #expect(result.status == .completed)
    #expect(trainer.network.buffers.storage.array != gridBefore)
    #expect(result.epochs.map(\.learningRate).first == 1e-2)
    #expect((result.epochs.last?.learningRate ?? 1) < 1e-3)
    #expect((result.epochs.last?.testRMSE ?? 9) < (result.epochs.first?.testRMSE ?? 0))
  }

  @Test func divergenceStopsTheRunWithAClearStatus() throws {
    var configuration = Self.configuration(.toyXY)
    configuration.learningRate = 1e6
    configuration.model = .mlp
    let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
    let result = try Trainer(configuration: configuration, data: data).run()
    guard case .diverged(let epoch, _, let loss) = result.status else {
      Issue.record("expected divergence, got \(result.status)")
      return
    }
    #expect(epoch >= 1 && !loss.isFinite)
    #expect(result.status.summary.contains("diverged"))
  }

  @Test func sameSeedGivesIdenticalCheckpointBytes() throws {
    let configuration = Self.configuration(.toyExpSin)
    var hashes: [String] = []
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "kan-determinism-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    for run in 0..<2 {
      let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
      let trainer = try Trainer(configuration: configuration, data: data)
      _ = try trainer.run()
      let path = directory.appendingPathComponent("run\(run).safetensors").path
      hashes.append(
        try Checkpoint.save(trainer.network, configuration: configuration, to: path).sha256)
    }
    #expect(hashes[0] == hashes[1])
  }

  @Test func syntheticTasksMatchTheirFormulas() {
    let task = SyntheticTask(.toyExpSin, seed: 1, trainCount: 10, testCount: 5)
    #expect(task.trainInputs.count == 20 && task.testTargets.count == 5)
    #expect(task.trainInputs.allSatisfy { $0 >= -1 && $0 < 1 })
    for row in 0..<10 {
      let x = Double(task.trainInputs[row * 2])
      let y = Double(task.trainInputs[row * 2 + 1])
      #expect(abs(Double(task.trainTargets[row]) - exp(sin(Double.pi * x) + y * y)) < 1e-5)
    }
    let product = SyntheticTask(.toyXY, seed: 1, trainCount: 4, testCount: 4)
    #expect(abs(product.testTargets[0] - product.testInputs[0] * product.testInputs[1]) < 1e-6)
    let other = SyntheticTask(.toyExpSin, seed: 2, trainCount: 10, testCount: 5)
    #expect(other.trainInputs != task.trainInputs)
  }

  @Test func configurationDecodesFromSnakeCaseSubsets() throws {
    let json = #"{"grid_size": 10, "hidden_layers": [32, 16], "lr_schedule": "cosine"}"#
    let configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
    #expect(configuration.gridSize == 10 && configuration.hiddenLayers == [32, 16])
    #expect(configuration.lrSchedule == .cosine && configuration.splineOrder == 3)
    let roundTrip = try JSONDecoder().decode(
      TrainingConfiguration.self, from: Data(try configuration.canonicalJSON().utf8))
    #expect(roundTrip == configuration)
    var bad = configuration
    bad.gridSize = 0
    bad.learningRate = -1
    #expect(bad.problems.map(\.key) == ["grid_size", "learning_rate"])
  }
}
