/// convkan's `LayerNorm2D`: normalizes over the channels at each pixel, then scales and shifts
/// per channel.
///
/// Concretely, for x [N, C, H, W] and each image n and pixel p:
/// ```
/// μ = (1/C)·Σ_c x[n, c, p],   σ² = (1/C)·Σ_c (x[n, c, p] − μ)²   (biased), r = 1/√(σ² + ε)
/// x̂[n, c, p] = (x[n, c, p] − μ)·r,   y = γ_c·x̂ + β_c             γ, β [1, C, 1, 1], ε = 1e-5
/// ```
/// Backward, with g = γ_c·dy:
/// ```
/// dx = r·(g − (1/C)·Σ_c g − x̂·(1/C)·Σ_c g·x̂),  dγ_c += Σ_{n,p} dy·x̂,  dβ_c += Σ_{n,p} dy
/// ```
public struct LayerNorm2D: Sendable {
  /// Channels C.
  public let channels: Int
  /// ε under the square root.
  public let epsilon: Float
  /// `gamma` [1, C, 1, 1] in the parameter arena (initialized to 1).
  public let gamma: TensorEntry
  /// `beta` [1, C, 1, 1] in the parameter arena (initialized to 0).
  public let beta: TensorEntry

  /// Declares `prefix.gamma` and `prefix.beta` (convkan's `1.gamma`, …).
  public init(channels: Int, epsilon: Float = 1e-5, prefix: String, parameters: inout TensorLayout)
  {
    precondition(channels > 0, "LayerNorm2D: channels must be positive, got \(channels)")
    self.channels = channels
    self.epsilon = epsilon
    gamma = parameters.add("\(prefix).gamma", shape: [1, channels, 1, 1])
    beta = parameters.add("\(prefix).beta", shape: [1, channels, 1, 1])
  }

  /// γ = 1, β = 0, as convkan initializes them.
  public func initialize(parameters: UnsafeMutablePointer<Float>) {
    (parameters + gamma.offset).update(repeating: 1, count: channels)
    (parameters + beta.offset).update(repeating: 0, count: channels)
  }

  /// y = γ·x̂ + β for x [batchSize, C, pixels]; keeps x̂ and r in `cache`.
  public func forward(
    input: UnsafePointer<Float>, batchSize: Int, pixels: Int, parameters: UnsafePointer<Float>,
    cache: LayerNorm2DCache, output: UnsafeMutablePointer<Float>
  ) {
    cache.reserve(batchSize: batchSize, channels: channels, pixels: pixels)
    let (scale, shift) = (parameters + gamma.offset, parameters + beta.offset)
    let normalized = cache.normalized.pointer
    let mean = cache.first.pointer
    let variance = cache.second.pointer
    let inverse = 1 / Float(channels)
    for image in 0..<batchSize {
      let x = input + image &* channels &* pixels
      let r = cache.inverseDeviation.pointer + image &* pixels
      mean.update(repeating: 0, count: pixels)
      variance.update(repeating: 0, count: pixels)
      for c in 0..<channels {
        let row = x + c &* pixels
        for p in 0..<pixels { mean[p] += row[p] }
      }
      for p in 0..<pixels { mean[p] *= inverse }
      for c in 0..<channels {
        let row = x + c &* pixels
        for p in 0..<pixels {
          let d = row[p] - mean[p]
          variance[p] += d * d
        }
      }
      for p in 0..<pixels { r[p] = 1 / (variance[p] * inverse + epsilon).squareRoot() }
      for c in 0..<channels {
        let offset = (image &* channels &+ c) &* pixels
        let (row, xHat, y) = (input + offset, normalized + offset, output + offset)
        let (g, b) = (scale[c], shift[c])
        for p in 0..<pixels {
          let value = (row[p] - mean[p]) * r[p]
          xHat[p] = value
          y[p] = g * value + b
        }
      }
    }
  }

  /// Backward of the last ``forward(input:batchSize:pixels:parameters:cache:output:)``:
  /// accumulates dγ and dβ into `gradients`, overwrites `inputGradient` [batchSize, C, pixels].
  public func backward(
    outputGradient: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
    gradients: UnsafeMutablePointer<Float>, cache: LayerNorm2DCache,
    inputGradient: UnsafeMutablePointer<Float>
  ) {
    let (batchSize, pixels) = (cache.batchSize, cache.pixels)
    precondition(batchSize > 0, "LayerNorm2D.backward: no forward pass is cached")
    let scale = parameters + gamma.offset
    let (scaleGradient, shiftGradient) = (gradients + gamma.offset, gradients + beta.offset)
    let normalized = cache.normalized.pointer
    let sum = cache.first.pointer
    let projected = cache.second.pointer
    let inverse = 1 / Float(channels)
    for image in 0..<batchSize {
      let r = cache.inverseDeviation.pointer + image &* pixels
      sum.update(repeating: 0, count: pixels)
      projected.update(repeating: 0, count: pixels)
      for c in 0..<channels {
        let offset = (image &* channels &+ c) &* pixels
        let (dy, xHat) = (outputGradient + offset, normalized + offset)
        let g = scale[c]
        var (dScale, dShift) = (Float(0), Float(0))
        for p in 0..<pixels {
          let upstream = dy[p]
          sum[p] += g * upstream
          projected[p] += g * upstream * xHat[p]
          dScale += upstream * xHat[p]
          dShift += upstream
        }
        scaleGradient[c] += dScale
        shiftGradient[c] += dShift
      }
      for c in 0..<channels {
        let offset = (image &* channels &+ c) &* pixels
        let (dy, xHat, dx) = (outputGradient + offset, normalized + offset, inputGradient + offset)
        let g = scale[c]
        for p in 0..<pixels {
          dx[p] = r[p] * (g * dy[p] - sum[p] * inverse - xHat[p] * projected[p] * inverse)
        }
      }
    }
  }
}
