import Foundation
import KANLib
import Testing

/// Both cores for one trial: a batch split into fixed shards gives the same bits on one thread
/// and on two, and the shards' summed gradients are the batch's.
@Suite(.serialized) struct ShardTests {
  static func train(_ configuration: TrainingConfiguration, threads: Int) throws -> (
    parameters: [UInt32], losses: [Float]
  ) {
    let saved = BLAS.threads
    defer { BLAS.threads = saved }
    let data = try TrainingData.load(
      for: configuration,
      dataDirectory: configuration.dataset.isClassification ? DatasetFixtures.sharedData : nil,
      verify: true)
    let trainer = try Trainer(configuration: configuration, data: data)
    trainer.useThreads(threads)
    #expect(BLAS.threads == (configuration.shards > 1 ? 1 : threads))
    let result = try trainer.run()
    #expect(result.status == .completed)
    return (
      trainer.network.parameters.storage.array.map(\.bitPattern), result.epochs.map(\.trainLoss)
    )
  }

  static func configuration(
    _ model: ModelKind, shards: Int, optimizer: OptimizerKind = .adamw
  ) -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.dataset = .toyExp4D
    configuration.model = model
    configuration.hiddenLayers = [12, 6]
    configuration.epochs = 3
    // 500 training rows in batches of 61: shards of uneven sizes, a short last batch.
    configuration.batchSize = optimizer == .lbfgs ? 500 : 61
    configuration.trainLimit = 500
    configuration.testLimit = 100
    configuration.learningRate = optimizer == .lbfgs ? 1 : 1e-2
    configuration.optimizer = optimizer
    configuration.shards = shards
    configuration.updateGridEvery = model == .kan ? 3 : 0
    configuration.regularizeActivation = model == .kan ? 1e-4 : 0
    return configuration
  }

  @Test(arguments: [(ModelKind.kan, 2), (.kan, 3), (.mlp, 4)])
  func oneAndTwoThreadsGiveTheSameBits(model: ModelKind, shards: Int) throws {
    let configuration = Self.configuration(model, shards: shards)
    let one = try Self.train(configuration, threads: 1)
    let two = try Self.train(configuration, threads: 2)
    #expect(one.parameters == two.parameters)
    #expect(one.losses == two.losses)
    #expect(one.losses.last ?? .infinity < one.losses.first ?? 0)
  }

  @Test func lbfgsWithShardsGivesTheSameBits() throws {
    let configuration = Self.configuration(.kan, shards: 2, optimizer: .lbfgs)
    let one = try Self.train(configuration, threads: 1)
    let two = try Self.train(configuration, threads: 2)
    #expect(one.parameters == two.parameters)
  }

  /// The summed shard gradients are the one-pass gradient of the batch mean (to rounding):
  /// one step from the same start with 1 and with 4 shards lands within 1e-5.
  @Test func shardsComputeTheBatchGradient() throws {
    var one = Self.configuration(.kan, shards: 1)
    one.epochs = 1
    one.batchSize = 500
    one.updateGridEvery = 0
    var four = one
    four.shards = 4
    let a = try Self.train(one, threads: 1)
    let b = try Self.train(four, threads: 2)
    let difference =
      zip(a.parameters, b.parameters).map {
        abs(Float(bitPattern: $0) - Float(bitPattern: $1))
      }.max() ?? 1
    #expect(difference < 1e-5, "max |Δθ| \(difference)")
    #expect(abs(a.losses[0] - b.losses[0]) < 1e-5 * abs(a.losses[0]))
  }
}
