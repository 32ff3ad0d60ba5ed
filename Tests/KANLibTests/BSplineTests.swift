import KANLib
import Testing

/// Invariants of the B-spline basis, on the uniform grid and on an adapted one.
@Suite struct BSplineTests {
  @Test(arguments: [(5, 3), (3, 2), (10, 1), (7, 4)])
  func partitionOfUnityAndLocalSupport(gridSize: Int, splineOrder: Int) throws {
    var configuration = KANConfiguration()
    configuration.gridSize = gridSize
    configuration.splineOrder = splineOrder
    var generator = KANRandom(seed: 1)
    let network = try KAN(widths: [2, 1], configuration: configuration, generator: &generator)
    // Adapt feature 1's grid to skewed data so the knots are not uniform.
    let adaptSamples = (0..<64).flatMap { _ -> [Float] in
      let u = generator.nextFloat()
      return [generator.uniform(-1, 1), u * u * 2 - 1]
    }
    try adaptSamples.withPointer { try network.updateGrid(input: $0, batchSize: 64) }
    let layer = network.layers[0]
    let knots = network.buffers.values(of: layer.grid)
    let knotCount = layer.configuration.knotCount
    let count = layer.configuration.coefficientCount
    for feature in 0..<2 {
      let featureKnots = Array(knots[(feature * knotCount)..<((feature + 1) * knotCount)])
      // The interior of the grid: [t_k, t_{G+k}).
      let lower = featureKnots[splineOrder]
      let upper = featureKnots[gridSize + splineOrder]
      let samples = (0..<200).map { _ in generator.uniform(lower, upper) }
      var input = [Float](repeating: 0, count: 400)
      for (row, value) in samples.enumerated() { input[row * 2 + feature] = value }
      let bases = input.withPointer {
        layer.bases(input: $0, batchSize: 200, buffers: network.buffers.storage.pointer)
      }
      for row in 0..<200 {
        let values = Array(bases[((row * 2 + feature) * count)..<((row * 2 + feature + 1) * count)])
        let sum = values.reduce(0, +)
        #expect(abs(sum - 1) < 1e-5, "sum \(sum) at x = \(samples[row])")
        #expect(values.allSatisfy { $0 >= 0 }, "negative basis at x = \(samples[row])")
        let nonZero = values.filter { $0 != 0 }.count
        #expect(nonZero == splineOrder + 1, "\(nonZero) non-zero bases at x = \(samples[row])")
      }
    }
  }

  @Test func basesVanishOutsideTheKnots() throws {
    var generator = KANRandom(seed: 2)
    let network = try KAN(widths: [1, 1], generator: &generator)
    let layer = network.layers[0]
    // The default grid's knots run from -1 - 3·0.4 = -2.2 to 2.2 (half-open).
    let input: [Float] = [-2.3, 2.2, 7, -.infinity]
    let bases = input.withPointer {
      layer.bases(input: $0, batchSize: 4, buffers: network.buffers.storage.pointer)
    }
    #expect(bases.allSatisfy { $0 == 0 })
  }

  @Test func orderOneIsPiecewiseLinearHat() throws {
    var configuration = KANConfiguration()
    configuration.gridSize = 4
    configuration.splineOrder = 1
    let network = KAN(widths: [1, 1], configuration: configuration)
    // Knots: -1.5, -1, -0.5, 0, 0.5, 1, 1.5; basis 2 is the hat on [-0.5, 0.5] peaking at 0.
    let input: [Float] = [0, 0.25, -0.125]
    let bases = input.withPointer {
      network.layers[0].bases(input: $0, batchSize: 3, buffers: network.buffers.storage.pointer)
    }
    #expect(bases[2] == 1)
    #expect(abs(bases[5 + 2] - 0.5) < 1e-6 && abs(bases[5 + 3] - 0.5) < 1e-6)
    #expect(abs(bases[10 + 2] - 0.75) < 1e-6 && abs(bases[10 + 1] - 0.25) < 1e-6)
  }
}
