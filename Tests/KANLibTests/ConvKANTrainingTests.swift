import Foundation
import KANLib
import Testing

/// conv_kan trials: configuration checks, cost, convkan's initialization, memory and
/// evaluation batches (same seed, same bytes: `ConvolutionCommandTests`, in their own processes,
/// since the OpenBLAS thread count is process-wide).
@Suite(.serialized) struct ConvKANTrainingTests {
  static func configuration(shards: Int = 1) -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.dataset = .mnist
    configuration.model = .convKAN
    configuration.convChannels = [2, 3]
    configuration.normalization = .standard
    configuration.learningRate = 1e-2
    configuration.weightDecay = 1e-2
    configuration.epochs = 2
    // 100 images in batches of 32: a short last batch.
    configuration.batchSize = 32
    configuration.trainLimit = 100
    configuration.testLimit = 40
    configuration.shards = shards
    return configuration
  }

  @Test func problemsNameTheParameter() {
    var configuration = Self.configuration()
    configuration.convStrides = [1, 2]
    #expect(configuration.problems.map(\.key) == ["conv_strides"])
    // Padding ⌊k/2⌋ keeps every map at least 1×1, whatever the strides.
    configuration.convStrides = [8, 8, 8]
    configuration.kernelSize = 15
    #expect(configuration.problems.isEmpty)
    #expect(configuration.convKANConfiguration.spatialSizes.map(\.height) == [28, 4, 1, 1])
    configuration.basis = .rbf
    configuration.updateGridEvery = 5
    #expect(Set(configuration.problems.map(\.key)) == ["basis", "update_grid_every"])
    var toy = Self.configuration()
    toy.dataset = .toyXY
    #expect(toy.problems.map(\.key) == ["model"])
  }

  /// convkan's README model: 1·32·9 + 32·32·9 + 32·10·9 edges of G + k + 2 = 10 weights each,
  /// and two norms of 32 channels.
  @Test func costCountsConvkansModel() {
    var configuration = TrainingConfiguration()
    configuration.model = .convKAN
    let cost = configuration.cost()
    #expect(cost.parameters == (288 + 9216 + 2880) * 10 + 128)
    // Per position the KAN of one patch (KANbeFair's formula with G = 5, k = 3, SiLU = 5).
    func kan(_ input: Int, _ output: Int) -> Double {
      Double(input * output) * (9 * 3 * (5 + 4.5) + 10 - 7.5 + 1) + 5 * Double(input)
        + 2 * Double(input * output)
    }
    let expected =
      784 * kan(9, 32) + 196 * kan(288, 32) + 49 * kan(288, 10) + 8 * 32 * (784 + 196) + 10 * 49
    #expect(abs(cost.flops - expected) < 1e-6 * expected)
    var generator = KANRandom(seed: 3)
    let network = try? configuration.makeNetwork(widths: [], generator: &generator)
    #expect(network?.parameterCount == cost.parameters)
  }

  /// Base weights and scalers fill convkan's kaiming bound 1/√((O/groups)·patch), γ = 1, β = 0.
  @Test func initializationFollowsConvkan() throws {
    var generator = KANRandom(seed: 9)
    let network = try ConvKAN(configuration: ConvKANConfiguration(), generator: &generator)
    for convolution in network.convolutions {
      let c = convolution.configuration.groupLayer
      let bound = 1 / Float(c.outFeatures * c.inFeatures).squareRoot()
      for entry in [convolution.baseWeight, convolution.splineScaler].compactMap({ $0 }) {
        let values = network.parameters.values(of: entry)
        let largest = values.map(abs).max() ?? 0
        #expect(largest <= bound && largest > 0.95 * bound, "\(entry.name): \(largest) vs \(bound)")
      }
    }
    for norm in network.norms {
      #expect(network.parameters.values(of: norm.gamma).allSatisfy { $0 == 1 })
      #expect(network.parameters.values(of: norm.beta).allSatisfy { $0 == 0 })
    }
  }

  /// The estimate is an upper bound of convkan's model's measured peak RSS (206 MB for
  /// `sweep train --use-kan-convolution`, BENCHMARKS.md), and not far above it.
  @Test func memoryEstimateBoundsTheMeasuredPeak() {
    var configuration = TrainingConfiguration()
    configuration.model = .convKAN
    configuration.batchSize = 128
    let estimate = configuration.estimatedMemoryBytes
    #expect(estimate > 206_000_000 && estimate < 400_000_000, "\(estimate)")
  }

  /// Evaluation runs 128 images at a time, whatever the evaluation default of flat networks.
  @Test func evaluationUsesSmallBatches() throws {
    let network = ConvKAN()
    #expect(network.evaluationBatchSize == 128)
    let data = try TrainingData.load(
      for: Self.configuration(), dataDirectory: DatasetFixtures.sharedData, verify: true)
    #expect(Evaluation(network: network, data: data).batchSize == 128)
  }
}
