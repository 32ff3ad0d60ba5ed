/// What one ``LayerNorm2D`` forward pass keeps for its backward pass (x̂ and 1/√(σ² + ε)), and
/// two per-pixel scratch rows; buffers grow to the largest batch seen and are then reused.
public final class LayerNorm2DCache {
  /// The batch size of the last forward pass.
  public private(set) var batchSize = 0
  /// Pixels per channel of the last forward pass.
  public private(set) var pixels = 0
  /// x̂ [N, C, pixels].
  var normalized = FloatBuffer(count: 0)
  /// 1/√(σ² + ε) [N, pixels].
  var inverseDeviation = FloatBuffer(count: 0)
  /// Per-pixel scratch: μ and σ² (forward), Σ_c g and Σ_c g·x̂ (backward).
  var first = FloatBuffer(count: 0)
  var second = FloatBuffer(count: 0)

  /// Creates an empty cache.
  public init() {}

  func reserve(batchSize: Int, channels: Int, pixels: Int) {
    if normalized.count < batchSize * channels * pixels {
      normalized = FloatBuffer(count: batchSize * channels * pixels)
    }
    if inverseDeviation.count < batchSize * pixels {
      inverseDeviation = FloatBuffer(count: batchSize * pixels)
    }
    if first.count < pixels {
      first = FloatBuffer(count: pixels)
      second = FloatBuffer(count: pixels)
    }
    self.batchSize = batchSize
    self.pixels = pixels
  }
}
