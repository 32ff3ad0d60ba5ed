import Foundation

/// The activation applied on the residual ("base") branch of a KAN layer, or between MLP layers.
public enum BaseActivation: String, Sendable, Codable, CaseIterable {
  /// `x·σ(x)`, efficient-kan's default.
  case silu
  /// `x`.
  case identity
  /// `0`: the layer has no base branch (its `baseWeight` still exists and gets zero gradients).
  case zero
  /// `max(0, x)`, the usual MLP activation.
  case relu
  /// `tanh(x)`.
  case tanh

  /// The activation's value at `x`.
  @inline(__always)
  public func value(_ x: Float) -> Float {
    switch self {
    case .silu: return x / (1 + expf(-x))
    case .identity: return x
    case .zero: return 0
    case .relu: return x > 0 ? x : 0
    case .tanh: return tanhf(x)
    }
  }

  /// The activation's derivative at `x` (`relu` uses 0 at 0, as PyTorch).
  @inline(__always)
  public func derivative(_ x: Float) -> Float {
    switch self {
    case .silu:
      let sigmoid = 1 / (1 + expf(-x))
      return sigmoid * (1 + x * (1 - sigmoid))
    case .identity: return 1
    case .zero: return 0
    case .relu: return x > 0 ? 1 : 0
    case .tanh:
      let t = tanhf(x)
      return 1 - t * t
    }
  }
}
