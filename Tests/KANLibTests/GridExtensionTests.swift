import Foundation
import Testing

@testable import KANLib

/// Grid extension (pykan's `refine`): a KAN refined to a finer grid computes the same function on
/// the samples it was fitted on.
@Suite struct GridExtensionTests {
  /// A [2, 4, 3] KAN with random spline weights (scale_noise 0.5, so the splines are far from
  /// zero) and `count` samples uniform in [−1, 1].
  static func network(gridSize: Int, count: Int) throws -> (KAN, [Float]) {
    var configuration = KANConfiguration()
    configuration.gridSize = gridSize
    configuration.scaleNoise = 0.5
    var generator = KANRandom(seed: 11, stream: 0)
    let kan = try KAN(widths: [2, 4, 3], configuration: configuration, generator: &generator)
    let samples = (0..<(count * 2)).map { _ in generator.uniform(-1, 1) }
    return (kan, samples)
  }

  static func outputs(_ kan: KAN, _ samples: [Float]) -> [Float] {
    samples.withUnsafeBufferPointer { pointer in
      let count = samples.count / kan.inputWidth
      let output = kan.forward(pointer.start("test"), batchSize: count)
      return Array(UnsafeBufferPointer(start: output, count: count * kan.outputWidth))
    }
  }

  static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
  }

  /// Nested refinements (every old knot stays a knot, so the old spline is exactly representable):
  /// the outputs agree to 1e-4 on the fitting batch, layer after layer.
  @Test(arguments: [(3, 6), (5, 10), (5, 20), (10, 20)])
  func nestedRefinementKeepsTheFunction(from: Int, to: Int) throws {
    let (kan, samples) = try Self.network(gridSize: from, count: 400)
    let before = Self.outputs(kan, samples)
    let refined = try samples.withUnsafeBufferPointer { pointer in
      try kan.refined(gridSize: to, input: pointer.start("test"), batchSize: 400)
    }
    #expect(refined.configuration.gridSize == to)
    #expect(refined.layers[0].configuration.coefficientCount == to + 3)
    let difference = Self.maxDifference(Self.outputs(refined, samples), before)
    #expect(difference < 1e-4, "G \(from) → \(to): max |Δy| = \(difference)")
    // Base weights and scalers are the parent's.
    for name in ["layers.0.base_weight", "layers.1.spline_scaler"] {
      let old = try #require(kan.parameters.entry(named: name))
      let new = try #require(refined.parameters.entry(named: name))
      #expect(kan.parameters.values(of: old) == refined.parameters.values(of: new))
    }
  }

  /// 3 → 5 is not nested (a cubic spline on 3 intervals is not one on 5), so the refit is the
  /// least-squares best: measured max |Δy| = 8.4e-4 here, 0.4% of the outputs' spread (bound 1%).
  /// Then 5 → 10 → 20 → 50 on the refined network keep the function to 1e-4 (measured 9.7e-6,
  /// 8.9e-8, 8.2e-8: 20 → 50 is not nested, but a G = 20 cubic is smooth at G = 50's scale).
  @Test func pykansScheduleKeepsTheFunctionClose() throws {
    let (kan, samples) = try Self.network(gridSize: 3, count: 1000)
    var current = kan
    var previous = Self.outputs(kan, samples)
    let spread = (previous.max() ?? 0) - (previous.min() ?? 0)
    for next in [5, 10, 20, 50] {
      current = try samples.withUnsafeBufferPointer { pointer in
        try current.refined(gridSize: next, input: pointer.start("test"), batchSize: 1000)
      }
      let now = Self.outputs(current, samples)
      let difference = Self.maxDifference(now, previous)
      let bound: Float = next == 5 ? 0.01 * spread : 1e-4
      #expect(difference < bound, "→ G \(next): max |Δy| = \(difference), spread \(spread)")
      previous = now
    }
  }

  /// After efficient-kan's adaptive grid update the knots are uneven; doubling G places the new
  /// knots by interpolating the old ones, so every old knot is kept and the function too.
  @Test func refinementOfAnAdaptedGridInterpolatesTheKnots() throws {
    let (kan, samples) = try Self.network(gridSize: 4, count: 500)
    // Squash the samples towards 0 so the adapted grid is far from uniform.
    let squashed = samples.map { $0 * $0 * $0 }
    try squashed.withUnsafeBufferPointer { pointer in
      try kan.updateGrid(input: pointer.start("test"), batchSize: 500)
    }
    let before = Self.outputs(kan, squashed)
    let refined = try squashed.withUnsafeBufferPointer { pointer in
      try kan.refined(gridSize: 8, input: pointer.start("test"), batchSize: 500)
    }
    let oldGrid = kan.buffers.values(of: try #require(kan.buffers.entry(named: "layers.0.grid")))
    let newGrid = refined.buffers.values(
      of: try #require(refined.buffers.entry(named: "layers.0.grid")))
    // Input 0: old interior knots t₃…t₇ (k = 3, G = 4) are the new knots at 3, 5, …, 11.
    for g in 0...4 {
      #expect(abs(newGrid[3 + 2 * g] - oldGrid[3 + g]) < 1e-6)
    }
    let difference = Self.maxDifference(Self.outputs(refined, squashed), before)
    #expect(difference < 1e-4, "max |Δy| = \(difference)")
  }

  /// The schedule in a training run: [2, 5, 1] on f(x, y) = exp(sin πx + y²) with full-batch
  /// L-BFGS, G 3 → 5 → 10 every 3 epochs. The final network has G = 10, and the RMSE falls.
  @Test func trainerExtendsTheGridOnSchedule() throws {
    var configuration = TrainingConfiguration()
    configuration.dataset = .toyExpSin
    configuration.hiddenLayers = [5]
    configuration.gridSize = 3
    configuration.gridSchedule = [3, 5, 10]
    configuration.gridExtendEvery = 3
    configuration.optimizer = .lbfgs
    configuration.learningRate = 1
    configuration.batchSize = 1000
    configuration.epochs = 9
    configuration.seed = 1
    #expect(configuration.problems.isEmpty)
    #expect((1...9).map(configuration.gridSize(atEpoch:)) == [3, 3, 3, 5, 5, 5, 10, 10, 10])
    let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
    let trainer = try Trainer(configuration: configuration, data: data)
    let result = try trainer.run()
    #expect(result.status == .completed)
    let kan = try #require(trainer.network as? KAN)
    #expect(kan.configuration.gridSize == 10)
    #expect(kan.parameterCount == (2 * 5 + 5 * 1) * (10 + 3 + 2))
    let rmse = result.epochs.compactMap(\.testRMSE)
    #expect(rmse[8] < rmse[2], "RMSE by epoch \(rmse)")
    #expect(rmse[8] < 0.05, "RMSE by epoch \(rmse)")
  }

  @Test func scheduleProblemsNameTheFix() {
    var configuration = TrainingConfiguration()
    configuration.gridSchedule = [3, 5]
    #expect(configuration.gridSize == 3 && configuration.problems.isEmpty)
    configuration.gridSize = 5
    #expect(
      configuration.problems.map { "\($0.key) \($0.message)" } == [
        "grid_size is 5 but grid_schedule starts at 3: set grid_size: 3 (the grid a KAN starts from)"
      ])
    configuration.gridSize = 3
    configuration.gridSchedule = [3, 10, 5]
    #expect(configuration.problems.map(\.message) == ["must increase, got [3, 10, 5]"])
  }
}
