import Foundation
import KANLib
import Testing

/// The SIMD exponential against libm's, in ulp.
@Suite struct VectorMathTests {
  /// Distance in representable floats between two finite positive values.
  static func ulps(_ a: Float, _ b: Float) -> Int {
    abs(Int(a.bitPattern) - Int(b.bitPattern))
  }

  @Test func exponentialIsWithinTwoUlpOfLibm() {
    var worst = 0
    var worstAt: Float = 0
    var x: Float = -87
    while x < 88.3 {
      let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.001_3 })
      let result = VectorMath.exp(lanes)
      for lane in 0..<8 {
        let distance = Self.ulps(result[lane], expf(lanes[lane]))
        if distance > worst { (worst, worstAt) = (distance, lanes[lane]) }
      }
      x += 0.011_7
    }
    #expect(worst <= 2, "worst \(worst) ulp at x = \(worstAt)")
  }

  @Test func exponentialKeepsSpecialValuesSane() {
    let input = SIMD8<Float>(0, 1, -1, .nan, 1_000, -1_000, .infinity, -.infinity)
    let result = VectorMath.exp(input)
    #expect(result[0] == 1)
    #expect(Self.ulps(result[1], expf(1)) <= 1)
    #expect(Self.ulps(result[2], expf(-1)) <= 1)
    #expect(result[3].isNaN)
    // Clamped: the largest and smallest results stay finite, positive and normal.
    #expect(result[4].isFinite && result[4] > 1e38)
    #expect(result[5].isNormal && result[5] < 2e-38)
    #expect(result[6].isFinite && result[6] > 1e38)
    #expect(result[7].isNormal && result[7] < 2e-38)
  }
}
