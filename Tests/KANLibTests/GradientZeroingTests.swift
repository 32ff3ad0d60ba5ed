import KANLib
import Testing

/// `KAN.zeroGradients()` is lazy (the next backward overwrites); it must be indistinguishable
/// from clearing the buffer.
@Suite struct GradientZeroingTests {
  static func network(scaler: Bool) throws -> KAN {
    var configuration = KANConfiguration()
    configuration.standaloneScaler = scaler
    var generator = KANRandom(seed: 5)
    return try KAN(widths: [19, 9, 3], configuration: configuration, generator: &generator)
  }

  @Test(arguments: [true, false])
  func lazyZeroingGivesTheBitsOfAClearedBuffer(scaler: Bool) throws {
    let lazy = try Self.network(scaler: scaler)
    let eager = try Self.network(scaler: scaler)
    var generator = KANRandom(seed: 6)
    let x = (0..<(4 * 19)).map { _ in generator.uniform(-1.5, 1.5) }
    let upstream = (0..<(4 * 3)).map { _ in generator.uniform(-1, 1) }
    for network in [lazy, eager] {
      // Stale gradients, NaN included, as after a diverged step.
      for index in 0..<network.parameterCount { network.gradients[index] = .nan }
      network.gradients[0] = 7
    }
    lazy.zeroGradients()
    eager.gradients.fill(0)
    for network in [lazy, eager] {
      _ = x.withPointer { network.forward($0, batchSize: 4) }
      upstream.withPointer { network.backward(outputGradient: $0) }
    }
    #expect(lazy.gradients.array.map(\.bitPattern) == eager.gradients.array.map(\.bitPattern))
    #expect(lazy.gradients.array.allSatisfy { $0.isFinite })

    // A second backward accumulates on top, as before.
    for network in [lazy, eager] {
      _ = x.withPointer { network.forward($0, batchSize: 4) }
      upstream.withPointer { network.backward(outputGradient: $0) }
    }
    #expect(lazy.gradients.array.map(\.bitPattern) == eager.gradients.array.map(\.bitPattern))
  }

  @Test func readingAfterZeroingSeesZeros() throws {
    let network = try Self.network(scaler: true)
    for index in 0..<network.parameterCount { network.gradients[index] = 3 }
    network.zeroGradients()
    #expect(network.gradients.array.allSatisfy { $0 == 0 })
    // Regularization accumulated before the backward pass lands on zeros too.
    network.zeroGradients()
    let loss = network.regularizationLoss(activation: 1, entropy: 1, accumulateGradients: true)
    #expect(loss.isFinite)
    let regularizationOnly = network.gradients.array
    network.gradients.fill(0)
    _ = network.regularizationLoss(activation: 1, entropy: 1, accumulateGradients: true)
    #expect(network.gradients.array == regularizationOnly)
  }
}
