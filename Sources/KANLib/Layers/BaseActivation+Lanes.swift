import Foundation

extension BaseActivation {
  /// The activation on eight lanes at once.
  ///
  /// `silu` uses ``VectorMath/exp(_:)``, so it may differ from ``value(_:)`` in the last ulp or
  /// two; the other cases give the same bits as ``value(_:)``.
  @inline(__always)
  func values(_ x: SIMD8<Float>) -> SIMD8<Float> {
    switch self {
    case .silu: return Self.silu(x)
    case .identity: return x
    case .zero: return SIMD8(repeating: 0)
    case .relu: return x.replacing(with: 0, where: .!(x .> 0))
    case .tanh:
      var result = x
      for lane in 0..<8 { result[lane] = tanhf(x[lane]) }
      return result
    }
  }

  /// act(x) for `count` consecutive values: eight at a time through ``values(_:)`` (the switch
  /// is taken once, outside the loop), the tail through ``value(_:)``.
  func apply(
    _ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>
  ) {
    switch self {
    case .silu: Self.map(input, count: count, into: output, Self.silu(_:), value)
    case .identity: output.update(from: input, count: count)
    case .zero: output.update(repeating: 0, count: count)
    case .relu, .tanh: Self.map(input, count: count, into: output, values, value)
    }
  }

  /// SiLU on eight lanes.
  @inline(__always)
  static func silu(_ x: SIMD8<Float>) -> SIMD8<Float> {
    x / (SIMD8(repeating: 1) + VectorMath.exp(-x))
  }

  @inline(__always)
  private static func map(
    _ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>,
    _ lanes: (SIMD8<Float>) -> SIMD8<Float>, _ scalar: (Float) -> Float
  ) {
    var index = 0
    while index &+ 8 <= count {
      let x = UnsafeRawPointer(input + index).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(output + index).storeBytes(of: lanes(x), as: SIMD8<Float>.self)
      index &+= 8
    }
    while index < count {
      output[index] = scalar(input[index])
      index &+= 1
    }
  }
}
