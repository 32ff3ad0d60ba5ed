import Foundation

/// ChebyKAN's layer (SynodicMonth/ChebyKAN, `ChebyKANLayer.py`): Chebyshev polynomials of the
/// first kind, up to `degree`, of tanh of the input.
///
/// Concretely:
/// ```
/// x       [batch, in]
/// t       = tanh(x)
/// T_d(t)  T₀ = 1, T₁ = t, T_d = 2t·T_{d−1} − T_{d−2}    (= cos(d·arccos t))
/// y[b, o] = Σ_i Σ_{d=0…D} T_d(t[b, i])·coeffs[i, o, d]
///         computed as one sgemm: T [batch, in·(D + 1)] · W [out, in·(D + 1)]ᵀ,
///         W[o, i·(D + 1) + d] = coeffs[i, o, d]
/// ```
/// The tensor is `cheby_coeffs` [in, out, D + 1], ChebyKAN's name and layout, drawn from
/// N(0, σ = 1/(in·(D + 1))) as ChebyKAN does; there is no bias and no base branch.
/// Deviations: random draws come from ``KANRandom`` (Box–Muller normals), not PyTorch's
/// generator; T_d by the recurrence (ChebyKAN's later version; its first used cos(d·acos t)).
public struct ChebyKANLayer: BasisLayer {
  /// Input width.
  public let inFeatures: Int
  /// Output width.
  public let outFeatures: Int
  /// D: the highest polynomial degree (D + 1 polynomials).
  public let degree: Int
  /// `cheby_coeffs` [in, out, D + 1].
  public let coefficients: TensorEntry

  /// Declares the layer's tensor under `prefix`.
  public init(
    inFeatures: Int, outFeatures: Int, degree: Int, prefix: String,
    parameters: inout TensorLayout
  ) {
    precondition(degree >= 1, "ChebyKANLayer: degree must be at least 1")
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.degree = degree
    coefficients = parameters.add(
      "\(prefix).cheby_coeffs", shape: [inFeatures, outFeatures, degree + 1])
  }

  var featureWidth: Int { inFeatures * (degree + 1) }

  /// What forward keeps: t = tanh(x), the polynomials, the rearranged weight, and work space
  /// for the gradients.
  public final class Cache {
    let tanh: FloatBuffer
    let features: FloatBuffer
    let combined: FloatBuffer
    let weightGradient: FloatBuffer
    let featureGradient: FloatBuffer
    var batchSize = 0

    init(layer: ChebyKANLayer, capacity: Int) {
      tanh = FloatBuffer(count: capacity * layer.inFeatures)
      features = FloatBuffer(count: capacity * layer.featureWidth)
      combined = FloatBuffer(count: layer.outFeatures * layer.featureWidth)
      weightGradient = FloatBuffer(count: layer.outFeatures * layer.featureWidth)
      featureGradient = FloatBuffer(count: capacity * layer.featureWidth)
    }
  }

  /// A cache for batches of up to `capacity` rows.
  public func makeCache(capacity: Int) -> Cache { Cache(layer: self, capacity: capacity) }

  /// coeffs ~ N(0, 1/(in·(D + 1))).
  public func initialize(
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
    generator: inout KANRandom
  ) {
    let std = 1 / Double(inFeatures * (degree + 1))
    for index in 0..<coefficients.count {
      parameters[coefficients.offset + index] = Float(generator.normal(std: std))
    }
  }

  /// y = T(tanh x)·Wᵀ.
  public func forward(
    input: UnsafePointer<Float>, batchSize: Int, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>, cache: Cache, output: UnsafeMutablePointer<Float>
  ) {
    cache.batchSize = batchSize
    let width = featureWidth
    let stride = degree + 1
    for row in 0..<batchSize {
      for i in 0..<inFeatures {
        let t = Foundation.tanh(input[row * inFeatures + i])
        cache.tanh[row * inFeatures + i] = t
        let T = cache.features.pointer + row * width + i * stride
        T[0] = 1
        T[1] = t
        if degree >= 2 {
          for d in 2...degree { T[d] = 2 * t * T[d - 1] - T[d - 2] }
        }
      }
    }
    let source = parameters + coefficients.offset
    let combined = cache.combined.pointer
    for i in 0..<inFeatures {
      for o in 0..<outFeatures {
        (combined + o * width + i * stride).update(
          from: source + (i * outFeatures + o) * stride, count: stride)
      }
    }
    BLAS.sgemm(
      .none, .transpose, m: batchSize, n: outFeatures, k: width, a: cache.features.pointer,
      lda: width, b: combined, ldb: width, c: output, ldc: outFeatures)
  }

  /// Backward:
  /// ```
  /// d coeffs[i, o, d] += (dyᵀ·T)[o, i·(D + 1) + d]
  /// dT = dy·W,  dt_i = Σ_d dT_{i,d}·T′_d(t_i),  T′₀ = 0, T′₁ = 1,
  ///             T′_d = 2T_{d−1} + 2t·T′_{d−1} − T′_{d−2}
  /// dx = dt·(1 − t²)
  /// ```
  public func backward(
    outputGradient: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, cache: Cache,
    inputGradient: UnsafeMutablePointer<Float>?
  ) {
    let batchSize = cache.batchSize
    let width = featureWidth
    let stride = degree + 1
    BLAS.sgemm(
      .transpose, .none, m: outFeatures, n: width, k: batchSize, a: outputGradient,
      lda: outFeatures, b: cache.features.pointer, ldb: width, c: cache.weightGradient.pointer,
      ldc: width)
    let target = gradients + coefficients.offset
    for i in 0..<inFeatures {
      for o in 0..<outFeatures {
        let from = cache.weightGradient.pointer + o * width + i * stride
        let to = target + (i * outFeatures + o) * stride
        for d in 0..<stride { to[d] += from[d] }
      }
    }
    guard let inputGradient else { return }
    BLAS.sgemm(
      .none, .none, m: batchSize, n: width, k: outFeatures, a: outputGradient, lda: outFeatures,
      b: cache.combined.pointer, ldb: width, c: cache.featureGradient.pointer, ldc: width)
    for row in 0..<batchSize {
      for i in 0..<inFeatures {
        let t = cache.tanh[row * inFeatures + i]
        let T = cache.features.pointer + row * width + i * stride
        let dT = cache.featureGradient.pointer + row * width + i * stride
        // T′ by its recurrence, two terms kept.
        var previous: Float = 0  // T′₀
        var current: Float = 1  // T′₁
        var dt = dT[1]
        if degree >= 2 {
          for d in 2...degree {
            let next = 2 * T[d - 1] + 2 * t * current - previous
            dt += dT[d] * next
            previous = current
            current = next
          }
        }
        inputGradient[row * inFeatures + i] = dt * (1 - t * t)
      }
    }
  }
}
