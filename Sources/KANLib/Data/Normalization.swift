/// How image bytes become network inputs; applied per batch, images stay bytes in memory.
public enum Normalization: String, Sendable, Codable, CaseIterable, Hashable {
  /// pixel/255·2 − 1, in [-1, 1] like the default grid (efficient-kan's fixtures use this).
  case symmetric
  /// pixel/255, in [0, 1].
  case unit

  /// The 256 input values, computed in Float as PyTorch's `ToTensor()` then `·2 − 1` would.
  public var table: [Float] {
    (0..<256).map { byte in
      let unit = Float(byte) / 255
      return self == .symmetric ? unit * 2 - 1 : unit
    }
  }
}
