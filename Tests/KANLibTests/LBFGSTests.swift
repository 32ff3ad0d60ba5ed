import Foundation
import Testing

@testable import KANLib

/// L-BFGS against functions with known minima: a quadratic (closed form A⁻¹b) and Rosenbrock's
/// function (minimum 0 at (1, …, 1)).
@Suite struct LBFGSTests {
  /// Runs `steps` optimizer steps on `function` from `start`; returns the final point and value.
  static func minimize(
    start: [Float], steps: Int, lineSearch: LBFGS.LineSearch = .strongWolfe,
    learningRate: Float = 1,
    function: @escaping ([Double]) -> (value: Double, gradient: [Double])
  ) -> (point: [Float], value: Double, optimizer: LBFGS) {
    let parameters = FloatBuffer(start)
    let gradients = FloatBuffer(count: start.count)
    let optimizer = LBFGS(
      parameterCount: start.count, learningRate: learningRate, lineSearch: lineSearch)
    let evaluate = { () -> Double in
      let (value, gradient) = function(parameters.array.map(Double.init))
      for (index, component) in gradient.enumerated() { gradients[index] = Float(component) }
      return value
    }
    for _ in 0..<steps {
      optimizer.step(parameters: parameters, gradients: gradients, evaluate: evaluate)
    }
    return (parameters.array, evaluate(), optimizer)
  }

  /// f(x) = ½xᵀAx − bᵀx with A = tridiag(−1, 4, −1) (n = 8): minimum at A⁻¹b, found in one
  /// step (≤ 20 iterations): L-BFGS with exact curvature pairs on a quadratic converges in at
  /// most n iterations.
  @Test(arguments: [LBFGS.LineSearch.strongWolfe, .none])
  func quadraticReachesTheSolution(lineSearch: LBFGS.LineSearch) {
    let n = 8
    let b = (0..<n).map { Double($0 + 1) }
    func multiply(_ x: [Double]) -> [Double] {
      (0..<n).map { i in
        4 * x[i] - (i > 0 ? x[i - 1] : 0) - (i + 1 < n ? x[i + 1] : 0)
      }
    }
    // Closed form by the Thomas algorithm for the tridiagonal system Ax = b.
    var c = [Double](repeating: 0, count: n)
    var d = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let denominator = 4 + (i > 0 ? c[i - 1] : 0)
      c[i] = -1 / denominator
      d[i] = (b[i] + (i > 0 ? d[i - 1] : 0)) / denominator
    }
    var solution = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
      solution[i] = d[i] - c[i] * (i + 1 < n ? solution[i + 1] : 0)
    }
    #expect(zip(multiply(solution), b).allSatisfy { abs($0 - $1) < 1e-12 })

    let result = Self.minimize(
      start: [Float](repeating: 0, count: n), steps: lineSearch == .none ? 3 : 1,
      lineSearch: lineSearch
    ) { x in
      let ax = multiply(x)
      let value = 0.5 * zip(x, ax).map(*).reduce(0, +) - zip(b, x).map(*).reduce(0, +)
      return (value, zip(ax, b).map { $0 - $1 })
    }
    let error = zip(result.point, solution).map { abs(Double($0) - $1) }.max() ?? .infinity
    #expect(error < 1e-5, "max |x − A⁻¹b| = \(error)")
  }

  /// Rosenbrock's function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², from the classic start
  /// (−1.2, 1, −1.2, 1, …): the minimum 0 at (1, …, 1).
  @Test(arguments: [2, 10])
  func rosenbrockReachesItsMinimum(dimension: Int) {
    let start = (0..<dimension).map { $0 % 2 == 0 ? Float(-1.2) : 1 }
    let result = Self.minimize(start: start, steps: 10) { x in
      var value = 0.0
      var gradient = [Double](repeating: 0, count: x.count)
      for i in 0..<(x.count - 1) {
        let a = x[i + 1] - x[i] * x[i]
        let b = 1 - x[i]
        value += 100 * a * a + b * b
        gradient[i] += -400 * x[i] * a - 2 * b
        gradient[i + 1] += 200 * a
      }
      return (value, gradient)
    }
    let error = result.point.map { abs(Double($0) - 1) }.max() ?? .infinity
    #expect(error < 1e-3, "‖x − 1‖∞ = \(error), f = \(result.value)")
    #expect(result.value < 1e-6)
    // The line search kept every step's evaluations within PyTorch's max_eval (25) per step.
    #expect(result.optimizer.evaluations <= 10 * 26)
  }

  /// PyTorch's `_cubic_interpolate` is exact on a cubic: for f(t) = t³/3 − t (f′ = t² − 1),
  /// interpolating from t = 0 and t = 2 gives the local minimizer t = 1.
  @Test func cubicInterpolationFindsTheCubicsMinimizer() {
    let f: (Double) -> Double = { $0 * $0 * $0 / 3 - $0 }
    let slope: (Double) -> Double = { $0 * $0 - 1 }
    let a = LBFGS.Point(step: 0, loss: f(0), slope: slope(0))
    let b = LBFGS.Point(step: 2, loss: f(2), slope: slope(2))
    #expect(abs(LBFGS.cubicInterpolate(a, b, bounds: nil) - 1) < 1e-12)
    #expect(abs(LBFGS.cubicInterpolate(b, a, bounds: nil) - 1) < 1e-12)
    #expect(LBFGS.cubicInterpolate(a, b, bounds: (1.5, 3)) == 1.5)
  }

  /// PyTorch's own iterates: `scripts/golden_lbfgs.py` runs torch.optim.LBFGS 2.13 (float32,
  /// lr 1, history 10, strong Wolfe) on 2-D Rosenbrock from (−1.2, 1). After step 1 it is at
  /// (0.38004050, 0.12450600) after 19 iterations and 25 evaluations; after step 2 at
  /// (0.99999940, 0.99999881), 36 iterations, 45 evaluations.
  @Test func matchesPyTorchsIterates() {
    let parameters = FloatBuffer([-1.2, 1])
    let gradients = FloatBuffer(count: 2)
    let optimizer = LBFGS(parameterCount: 2, learningRate: 1, historySize: 10)
    let evaluate = { () -> Double in
      let (x, y) = (parameters[0], parameters[1])
      let a = y - x * x
      let b = 1 - x
      gradients[0] = -400 * x * a - 2 * b
      gradients[1] = 200 * a
      return Double(100 * a * a + b * b)
    }
    let first = optimizer.step(parameters: parameters, gradients: gradients, evaluate: evaluate)
    #expect(abs(first - 24.2000046) < 1e-5)
    #expect(optimizer.iterations == 19 && optimizer.evaluations == 25)
    #expect(abs(parameters[0] - 0.380_040_50) < 1e-5 && abs(parameters[1] - 0.124_506_00) < 1e-5)
    optimizer.step(parameters: parameters, gradients: gradients, evaluate: evaluate)
    #expect(optimizer.iterations == 36 && optimizer.evaluations == 45)
    #expect(abs(parameters[0] - 0.999_999_40) < 1e-5 && abs(parameters[1] - 0.999_998_81) < 1e-5)
  }
}
