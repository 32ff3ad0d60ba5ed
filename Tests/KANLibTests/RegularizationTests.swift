import Foundation
import KANLib
import Testing

/// efficient-kan's regularization (L1 of the mean absolute spline weights plus the entropy of
/// their distribution) must shape training, not only be computed.
@Suite struct RegularizationTests {
  /// The same run with and without a strong L1 term: the regularized network ends with a much
  /// smaller regularization loss (fails if the Trainer ignores `regularize_activation`).
  @Test func regularizationShrinksTheSplines() throws {
    func train(_ weight: Float) throws -> (KAN, [EpochMetrics]) {
      var configuration = TrainingTests.configuration(.toyExp4D)
      configuration.epochs = 4
      configuration.regularizeActivation = weight
      let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
      let trainer = try Trainer(configuration: configuration, data: data)
      let result = try trainer.run()
      #expect(result.status == .completed)
      return (try #require(trainer.network as? KAN), result.epochs)
    }
    let (plain, plainEpochs) = try train(0)
    let (regularized, regularizedEpochs) = try train(0.5)
    let plainL1 = plain.regularizationLoss(activation: 1, entropy: 0)
    let regularizedL1 = regularized.regularizationLoss(activation: 1, entropy: 0)
    #expect(regularizedL1 < 0.5 * plainL1, "L1 \(plainL1) → \(regularizedL1)")
    // The reported training loss includes the penalty.
    let plainLoss = try #require(plainEpochs.first?.trainLoss)
    let regularizedLoss = try #require(regularizedEpochs.first?.trainLoss)
    #expect(regularizedLoss > plainLoss)
  }

  /// One step's gradient is the task gradient plus the regularization gradient.
  @Test func gradientsAddTheRegularizationTerm() throws {
    var configuration = KANConfiguration()
    configuration.gridSize = 4
    var generator = KANRandom(seed: 9)
    let network = try KAN(widths: [3, 4, 2], configuration: configuration, generator: &generator)
    let input = FloatBuffer([0.2, -0.7, 0.9, -0.1, 0.4, 0.05])
    let upstream = FloatBuffer([0.3, -1, 0.5, 0.25])
    func gradients(task: Bool, regularization: Bool) -> [Float] {
      network.zeroGradients()
      if regularization {
        _ = network.regularizationLoss(activation: 0.7, entropy: 0.3, accumulateGradients: true)
      }
      if task {
        _ = network.forward(input.pointer, batchSize: 2)
        network.backward(outputGradient: upstream.pointer)
      }
      return network.gradients.array
    }
    let taskOnly = gradients(task: true, regularization: false)
    let regularizationOnly = gradients(task: false, regularization: true)
    let both = gradients(task: true, regularization: true)
    #expect(regularizationOnly.contains { $0 != 0 })
    for index in both.indices {
      #expect(
        abs(both[index] - (taskOnly[index] + regularizationOnly[index])) <= 1e-6,
        "gradient \(index)")
    }
  }
}
