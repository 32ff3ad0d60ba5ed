/// How image bytes become network inputs; applied per batch, images stay bytes in memory.
public enum Normalization: String, Sendable, Codable, CaseIterable, Hashable {
  /// pixel/255·2 − 1, in [-1, 1] like the default grid (efficient-kan's fixtures use this).
  case symmetric
  /// pixel/255, in [0, 1].
  case unit
  /// (pixel/255 − 0.1307)/0.3081: torchvision's `Normalize((0.1307,), (0.3081,))` with
  /// MNIST's mean and standard deviation, as convkan's example trains.
  case standard

  /// The 256 input values, computed in Float as PyTorch's `ToTensor()` then the normalization
  /// would (through ``normalize(_:)``, so batches normalized eight pixels at a time get the
  /// same bits).
  public var table: [Float] {
    (0..<256).map { byte in normalize(SIMD8(repeating: Float(byte) / 255))[0] }
  }

  /// The inputs of eight pixels given as byte/255.
  @inline(__always)
  public func normalize(_ unit: SIMD8<Float>) -> SIMD8<Float> {
    switch self {
    case .symmetric: return unit * 2 - 1
    case .unit: return unit
    case .standard: return (unit - 0.1307) / 0.3081
    }
  }
}
