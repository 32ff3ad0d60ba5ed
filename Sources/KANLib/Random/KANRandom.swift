import Foundation

/// The seeded random number generator behind every random draw in kan-sweep.
///
/// Concretely (fixed forever, so a seed means the same numbers in every version):
/// ```
/// state      = four outputs of SplitMix64 started at  seed ^ (stream · 0x9E3779B97F4A7C15)
/// next()     = xoshiro256** (Blackman & Vigna, 2018)
/// nextFloat  = (next() >> 40) · 2⁻²⁴           in [0, 1)
/// nextDouble = (next() >> 11) · 2⁻⁵³           in [0, 1)
/// below(n)   = Lemire's multiply-shift with rejection (unbiased)
/// shuffle    = Fisher–Yates from the last index down, using below(i + 1)
/// ```
/// The `stream` argument separates independent uses of one seed (initialization, shuffling,
/// data generation) without drawing from a shared generator.
public struct KANRandom: RandomNumberGenerator, Sendable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// Creates a generator for `seed` and an optional independent `stream`.
  public init(seed: UInt64, stream: UInt64 = 0) {
    var splitMix = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
    func nextSplitMix() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = nextSplitMix()
    s1 = nextSplitMix()
    s2 = nextSplitMix()
    s3 = nextSplitMix()
  }

  /// The next 64 random bits (xoshiro256**).
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  /// A uniform `Float` in [0, 1) with 24 random bits.
  public mutating func nextFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform `Float` in [lower, upper).
  public mutating func uniform(_ lower: Float, _ upper: Float) -> Float {
    lower + (upper - lower) * nextFloat()
  }

  /// An unbiased integer in 0..<bound (Lemire's method).
  public mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "KANRandom.below: bound must be positive, got \(bound)")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold {
        product = next().multipliedFullWidth(by: range)
      }
    }
    return Int(product.high)
  }

  /// A normal draw with mean `mean` and standard deviation `std` (Box–Muller on two
  /// ``nextDouble()`` draws: z = √(−2 ln(1 − u₁))·cos(2πu₂)).
  public mutating func normal(mean: Double = 0, std: Double = 1) -> Double {
    let u1 = 1 - nextDouble()
    let u2 = nextDouble()
    return mean + std * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
  }

  /// Shuffles `array` in place (Fisher–Yates, last index first).
  public mutating func shuffle<Element>(_ array: inout [Element]) {
    var index = array.count - 1
    while index > 0 {
      let other = below(index + 1)
      array.swapAt(index, other)
      index -= 1
    }
  }

  private func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
    (value << amount) | (value >> (64 - amount))
  }
}
