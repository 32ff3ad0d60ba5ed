/// Elementwise functions on eight Float lanes that compile to AVX2 instructions (no libm calls).
///
/// They trade the last ulp for speed: ``exp(_:)`` is within 2 ulp of `expf` over its range
/// (tested), which keeps the layers within the efficient-kan fixtures' tolerance.
public enum VectorMath {
  /// Eight lanes.
  public typealias Lanes = SIMD8<Float>

  /// eˣ per lane, by range reduction x = n·ln 2 + r (|r| ≤ ln 2 / 2, n rounded to nearest),
  /// a degree-6 minimax polynomial for eʳ and a scale by 2ⁿ built in the exponent bits.
  ///
  /// Inputs are clamped to [−87.3, 88.37] first (so n stays in −126...127), and results stay
  /// finite and normal: e⁻⁸⁷·³ ≈ 1.2e-38 instead of a subnormal or 0, e^88.37 ≈ 2.4e38 instead of
  /// +inf. NaN lanes stay NaN.
  @inline(__always)
  public static func exp(_ x: Lanes) -> Lanes {
    let high = Lanes(repeating: 88.37)
    let low = Lanes(repeating: -87.3)
    var clamped = x.replacing(with: high, where: x .> high)
    clamped.replace(with: low, where: clamped .< low)
    // n = round(x / ln 2); r = x − n·ln 2 with ln 2 split in two so n·ln2High is exact.
    let n = (clamped * Lanes(repeating: 1.442_695_04)).rounded(.toNearestOrEven)
    let ln2High = Lanes(repeating: 0.693_359_375)
    let ln2Low = Lanes(repeating: -2.121_944_4e-4)
    let r = (clamped - n * ln2High) - n * ln2Low
    // eʳ ≈ 1 + r + r²·p(r), p's coefficients from Cephes' expf (Moshier, public domain).
    var p = Lanes(repeating: 1.987_569_15e-4)
    p = p * r + Lanes(repeating: 1.398_199_950_7e-3)
    p = p * r + Lanes(repeating: 8.333_451_907_3e-3)
    p = p * r + Lanes(repeating: 4.166_579_589_4e-2)
    p = p * r + Lanes(repeating: 1.666_666_545_9e-1)
    p = p * r + Lanes(repeating: 5.000_000_120_1e-1)
    let polynomial = p * (r * r) + r + Lanes(repeating: 1)
    return polynomial * powerOfTwo(n)
  }

  /// 2ⁿ per lane for integral n in −126...127, built in the exponent field.
  @inline(__always)
  static func powerOfTwo(_ n: Lanes) -> Lanes {
    // Adding 1.5·2²³ puts n in the low mantissa bits (exact for |n| < 2²²).
    let shifted = unsafeBitCast(n + Lanes(repeating: 12_582_912), to: SIMD8<Int32>.self)
    let exponent = (shifted &- 0x4B40_0000 &+ 127) &<< 23
    return unsafeBitCast(exponent, to: Lanes.self)
  }

  /// The integers in lanes that hold integral values in 0..<2²², as Int32 (no libm or
  /// conversion call).
  @inline(__always)
  static func integers(_ values: Lanes) -> SIMD8<Int32> {
    unsafeBitCast(values + Lanes(repeating: 8_388_608), to: SIMD8<Int32>.self) &- 0x4B00_0000
  }
}
