/// Global average pooling, `nn.AdaptiveAvgPool2d(1)` followed by `nn.Flatten()`.
///
/// Concretely, for x [N, C, P] (P = H·W pixels): y[n, c] = (1/P)·Σ_p x[n, c, p], y [N, C];
/// backward: dx[n, c, p] = dy[n, c]/P.
public enum GlobalAveragePool {
  /// y [batchSize, channels] from x [batchSize, channels, pixels].
  public static func forward(
    input: UnsafePointer<Float>, batchSize: Int, channels: Int, pixels: Int,
    output: UnsafeMutablePointer<Float>
  ) {
    let inverse = 1 / Float(pixels)
    for plane in 0..<(batchSize * channels) {
      let row = input + plane &* pixels
      var total: Float = 0
      for p in 0..<pixels { total += row[p] }
      output[plane] = total * inverse
    }
  }

  /// dx [batchSize, channels, pixels] (overwritten) from dy [batchSize, channels].
  public static func backward(
    outputGradient: UnsafePointer<Float>, batchSize: Int, channels: Int, pixels: Int,
    inputGradient: UnsafeMutablePointer<Float>
  ) {
    let inverse = 1 / Float(pixels)
    for plane in 0..<(batchSize * channels) {
      (inputGradient + plane &* pixels).update(
        repeating: outputGradient[plane] * inverse, count: pixels)
    }
  }
}
