import Foundation

extension BaseActivation {
  /// The activation on eight lanes at once.
  ///
  /// `silu` uses ``VectorMath/exp(_:)``, so it may differ from ``value(_:)`` in the last ulp or
  /// two; the other cases give the same bits as ``value(_:)``.
  @inline(__always)
  func values(_ x: SIMD8<Float>) -> SIMD8<Float> {
    switch self {
    case .silu: return x / (SIMD8(repeating: 1) + VectorMath.exp(-x))
    case .identity: return x
    case .zero: return SIMD8(repeating: 0)
    case .relu: return x.replacing(with: 0, where: .!(x .> 0))
    case .tanh:
      var result = x
      for lane in 0..<8 { result[lane] = tanhf(x[lane]) }
      return result
    }
  }
}
