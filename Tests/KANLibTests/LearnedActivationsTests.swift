import Foundation
import Testing

@testable import KANLib

/// `KAN.learnedActivations` against its closed form: on [t_k, t_{G+k}] the B-spline bases sum
/// to one, so equal spline coefficients c with scaler s give φ(x) = w·SiLU(x) + c·s exactly.
@Suite struct LearnedActivationsTests {
  @Test func sampledActivationsMatchTheClosedForm() throws {
    var configuration = KANConfiguration()
    configuration.gridSize = 4
    configuration.splineOrder = 3
    let kan = KAN(widths: [2, 3], configuration: configuration)
    let layer = kan.layers[0]
    let base: [Float] = [0.5, -1, 2, 0.25, 0, 1.5]  // [out 3, in 2]
    kan.parameters.assign(base, to: layer.baseWeight)
    let count = layer.configuration.coefficientCount
    // Coefficient c depends on the edge: c = 0.1·(edge + 1).
    let spline = (0..<6).flatMap { edge in
      [Float](repeating: 0.1 * Float(edge + 1), count: count)
    }
    kan.parameters.assign(spline, to: layer.splineWeight)
    let scaler = try #require(layer.splineScaler)
    kan.parameters.assign([1, 2, 0.5, 1, 3, -1], to: scaler)
    let activations = kan.learnedActivations(layer: 0, samples: 9)
    #expect(activations.inFeatures == 2 && activations.outFeatures == 3)
    let grid = kan.buffers.values(of: layer.grid)
    for input in 0..<2 {
      let xs = Array(activations.inputs(of: input))
      // Evenly spaced over the input's interior range [t_k, t_{G+k}].
      #expect(abs(xs[0] - grid[input * layer.configuration.knotCount + 3]) < 1e-6)
      for output in 0..<3 {
        let edge = output * 2 + input
        let constant = 0.1 * Float(edge + 1) * [1, 2, 0.5, 1, 3, -1][edge]
        let values = Array(activations.values(output: output, input: input))
        var l1: Float = 0
        for (x, y) in zip(xs, values) {
          let expected = base[edge] * x / (1 + expf(-x)) + constant
          #expect(abs(y - expected) < 1e-5, "edge \(edge) at \(x): \(y) vs \(expected)")
          l1 += abs(expected)
        }
        #expect(abs(activations.l1[edge] - l1 / 9) < 1e-5)
      }
    }
  }
}
