import Foundation
import KANLib
import Testing

@Suite struct AdamWTests {
  /// After one step m̂ = g and v̂ = g², so p₁ = p₀·(1 − lr·wd) − lr·g/(|g| + ε).
  @Test func firstStepMatchesClosedForm() {
    let parameters = FloatBuffer([0.5, -1.25, 2, 0])
    let gradients = FloatBuffer([0.1, -3, 0, 1e-3])
    let optimizer = AdamW(
      parameterCount: 4, learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
      weightDecay: 0.1)
    let start = parameters.array
    optimizer.update(parameters: parameters, gradients: gradients)
    for index in 0..<4 {
      let p = Double(start[index])
      let g = Double(gradients[index])
      let expected = p * (1 - 0.01 * 0.1) - 0.01 * g / (abs(g) + 1e-8)
      #expect(abs(Double(parameters[index]) - expected) < 1e-6, "index \(index)")
    }
    #expect(optimizer.step == 1)
    #expect(abs(optimizer.firstMoment[1] - 0.1 * -3) < 1e-6)
    #expect(abs(optimizer.secondMoment[1] - 0.001 * 9) < 1e-6)
  }

  /// The second step against the recurrence written out in Double.
  @Test func secondStepMatchesRecurrence() {
    let parameters = FloatBuffer([1])
    let optimizer = AdamW(parameterCount: 1, learningRate: 0.1, weightDecay: 0.01)
    optimizer.update(parameters: parameters, gradients: FloatBuffer([2]))
    optimizer.update(parameters: parameters, gradients: FloatBuffer([-1]))
    var p = 1.0
    var m = 0.0
    var v = 0.0
    for (t, g) in [(1.0, 2.0), (2.0, -1.0)] {
      p *= 1 - 0.1 * 0.01
      m = 0.9 * m + 0.1 * g
      v = 0.999 * v + 0.001 * g * g
      let mHat = m / (1 - Foundation.pow(0.9, t))
      let vHat = v / (1 - Foundation.pow(0.999, t))
      p -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
    }
    #expect(abs(Double(parameters[0]) - p) < 1e-6)
  }

  /// 19 parameters (two groups of eight vector lanes and a tail of three), three steps, against
  /// the closed-form recurrence in Double: p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + ε).
  @Test func vectorLanesAndTailMatchTheRecurrence() {
    let count = 19
    let start = (0..<count).map { Float($0 % 7) * 0.37 - 1.1 }
    let steps: [[Float]] = (0..<3).map { step in
      (0..<count).map { index in Float((index * 5 + step * 3) % 11) * 0.21 - 1.05 }
    }
    let parameters = FloatBuffer(start)
    let optimizer = AdamW(
      parameterCount: count, learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6,
      weightDecay: 0.05)
    for gradient in steps {
      optimizer.update(parameters: parameters, gradients: FloatBuffer(gradient))
    }
    for index in 0..<count {
      var (p, m, v) = (Double(start[index]), 0.0, 0.0)
      for (step, gradient) in steps.enumerated() {
        let g = Double(gradient[index])
        let t = Double(step + 1)
        p *= 1 - 0.02 * 0.05
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        let mHat = m / (1 - Foundation.pow(0.8, t))
        let vHat = v / (1 - Foundation.pow(0.99, t))
        p -= 0.02 * mHat / (vHat.squareRoot() + 1e-6)
      }
      #expect(abs(Double(parameters[index]) - p) < 2e-6, "parameter \(index) (lane \(index % 8))")
    }
    #expect(optimizer.step == 3)
  }
}
