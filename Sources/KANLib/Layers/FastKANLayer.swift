import Foundation

/// FastKAN's layer (Li 2024, "Kolmogorov-Arnold Networks are Radial Basis Function Networks",
/// `fastkan/fastkan.py`): Gaussian radial bases of the layer-normalized input, plus a SiLU base
/// branch on the raw input.
///
/// Concretely:
/// ```
/// x       [batch, in]
/// x̂       = LayerNorm(x) = (x − mean)/√(var + 1e-5)·γ + β    over the in features, biased var
/// c_g     = gridLower + g·h, h = (gridUpper − gridLower)/(G − 1), g in 0..<G   (linspace)
/// φ       [batch, in·G]: φ[b, i·G + g] = exp(−((x̂[b, i] − c_g)/h)²)
/// y       [batch, out] = φ·splineWeightᵀ + SiLU(x)·baseWeightᵀ + baseBias
///         computed as one sgemm: [φ | SiLU(x)]·[splineWeight | baseWeight]ᵀ
/// ```
/// Tensors, named as FastKAN's `state_dict`: `layernorm.weight` γ and `layernorm.bias` β [in]
/// (1 and 0), `spline_linear.weight` [out, in·G] (truncated normal, std 0.1, cut at ±2),
/// `base_linear.weight` [out, in] and `base_linear.bias` [out] (U(−1/√in, 1/√in), as
/// `nn.Linear`); `rbf.grid` [G] is a buffer (FastKAN keeps it as a frozen parameter).
/// Deviations: random draws come from ``KANRandom`` (Box–Muller normals), not PyTorch's generator.
public struct FastKANLayer: BasisLayer {
  /// Input width.
  public let inFeatures: Int
  /// Output width.
  public let outFeatures: Int
  /// G: Gaussian centres per input (FastKAN's `num_grids`).
  public let centerCount: Int
  /// First centre (FastKAN's `grid_min`).
  public let gridLower: Float
  /// Last centre (FastKAN's `grid_max`).
  public let gridUpper: Float
  /// LayerNorm ε.
  public static let epsilon: Float = 1e-5
  /// `layernorm.weight` [in].
  public let normWeight: TensorEntry
  /// `layernorm.bias` [in].
  public let normBias: TensorEntry
  /// `spline_linear.weight` [out, in·G].
  public let splineWeight: TensorEntry
  /// `base_linear.weight` [out, in].
  public let baseWeight: TensorEntry
  /// `base_linear.bias` [out].
  public let baseBias: TensorEntry
  /// `rbf.grid` [G] in the buffer arena.
  public let grid: TensorEntry

  /// Declares the layer's tensors under `prefix`. FastKAN needs in > 1 (a layer norm over one
  /// feature is constant) and G ≥ 2.
  public init(
    inFeatures: Int, outFeatures: Int, centerCount: Int, gridLower: Float, gridUpper: Float,
    prefix: String, parameters: inout TensorLayout, buffers: inout TensorLayout
  ) {
    precondition(
      inFeatures > 1 && centerCount > 1 && gridLower < gridUpper,
      "FastKANLayer: needs in > 1, G > 1 and lower < upper")
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.centerCount = centerCount
    self.gridLower = gridLower
    self.gridUpper = gridUpper
    normWeight = parameters.add("\(prefix).layernorm.weight", shape: [inFeatures])
    normBias = parameters.add("\(prefix).layernorm.bias", shape: [inFeatures])
    splineWeight = parameters.add(
      "\(prefix).spline_linear.weight", shape: [outFeatures, inFeatures * centerCount])
    baseWeight = parameters.add("\(prefix).base_linear.weight", shape: [outFeatures, inFeatures])
    baseBias = parameters.add("\(prefix).base_linear.bias", shape: [outFeatures])
    grid = buffers.add("\(prefix).rbf.grid", shape: [centerCount])
  }

  /// Columns of the combined features: in·G bases, then in SiLU values.
  var featureWidth: Int { inFeatures * centerCount + inFeatures }
  /// The spacing h of the centres (FastKAN's `denominator`).
  var spacing: Float { (gridUpper - gridLower) / Float(centerCount - 1) }

  /// What forward keeps: the normalized input before the affine map, 1/σ per row, the input,
  /// the features, the combined weight and the feature gradient.
  public final class Cache {
    let normalized: FloatBuffer
    let inverseDeviation: FloatBuffer
    let input: FloatBuffer
    let features: FloatBuffer
    let combined: FloatBuffer
    let featureGradient: FloatBuffer
    let rowGradient: FloatBuffer
    var batchSize = 0

    init(layer: FastKANLayer, capacity: Int) {
      normalized = FloatBuffer(count: capacity * layer.inFeatures)
      inverseDeviation = FloatBuffer(count: capacity)
      input = FloatBuffer(count: capacity * layer.inFeatures)
      features = FloatBuffer(count: capacity * layer.featureWidth)
      combined = FloatBuffer(count: layer.outFeatures * layer.featureWidth)
      featureGradient = FloatBuffer(count: capacity * layer.featureWidth)
      rowGradient = FloatBuffer(count: layer.inFeatures)
    }
  }

  /// A cache for batches of up to `capacity` rows.
  public func makeCache(capacity: Int) -> Cache { Cache(layer: self, capacity: capacity) }

  /// γ = 1, β = 0; the spline weights (truncated normal), then the base weights and bias; the
  /// centres as `linspace(gridLower, gridUpper, G)`.
  public func initialize(
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
    generator: inout KANRandom
  ) {
    (parameters + normWeight.offset).update(repeating: 1, count: inFeatures)
    (parameters + normBias.offset).update(repeating: 0, count: inFeatures)
    for index in 0..<splineWeight.count {
      var value: Double
      repeat { value = generator.normal(std: 0.1) } while abs(value) > 2
      parameters[splineWeight.offset + index] = Float(value)
    }
    let bound = 1 / Float(inFeatures).squareRoot()
    for index in 0..<baseWeight.count {
      parameters[baseWeight.offset + index] = generator.uniform(-bound, bound)
    }
    for index in 0..<baseBias.count {
      parameters[baseBias.offset + index] = generator.uniform(-bound, bound)
    }
    resetGrid(buffers: buffers)
  }

  /// Writes the centres c_g = lower + g·(upper − lower)/(G − 1) (torch.linspace's formula).
  public func resetGrid(buffers: UnsafeMutablePointer<Float>) {
    for g in 0..<centerCount {
      buffers[grid.offset + g] = gridLower + Float(g) * spacing
    }
  }

  /// y = [φ(LayerNorm(x)) | SiLU(x)]·[splineWeight | baseWeight]ᵀ + bias.
  public func forward(
    input: UnsafePointer<Float>, batchSize: Int, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>, cache: Cache, output: UnsafeMutablePointer<Float>
  ) {
    cache.batchSize = batchSize
    cache.input.pointer.update(from: input, count: batchSize * inFeatures)
    let gamma = parameters + normWeight.offset
    let beta = parameters + normBias.offset
    let centres = buffers + grid.offset
    let h = spacing
    let width = featureWidth
    for row in 0..<batchSize {
      let x = input + row * inFeatures
      // Mean and biased variance in Double, as a float32 layer norm's reductions round less
      // than the per-element work.
      var sum = 0.0
      for i in 0..<inFeatures { sum += Double(x[i]) }
      let mean = sum / Double(inFeatures)
      var squares = 0.0
      for i in 0..<inFeatures { squares += (Double(x[i]) - mean) * (Double(x[i]) - mean) }
      let inverse = Float(1 / (squares / Double(inFeatures) + Double(Self.epsilon)).squareRoot())
      cache.inverseDeviation[row] = inverse
      let n = cache.normalized.pointer + row * inFeatures
      let features = cache.features.pointer + row * width
      for i in 0..<inFeatures {
        n[i] = (x[i] - Float(mean)) * inverse
        let normalized = n[i] * gamma[i] + beta[i]
        for g in 0..<centerCount {
          let z = (normalized - centres[g]) / h
          features[i * centerCount + g] = Foundation.exp(-z * z)
        }
        features[inFeatures * centerCount + i] = BaseActivation.silu.value(x[i])
      }
    }
    let combined = cache.combined.pointer
    for o in 0..<outFeatures {
      (combined + o * width).update(
        from: parameters + splineWeight.offset + o * inFeatures * centerCount,
        count: inFeatures * centerCount)
      (combined + o * width + inFeatures * centerCount).update(
        from: parameters + baseWeight.offset + o * inFeatures, count: inFeatures)
    }
    let bias = parameters + baseBias.offset
    for row in 0..<batchSize { (output + row * outFeatures).update(from: bias, count: outFeatures) }
    BLAS.sgemm(
      .none, .transpose, m: batchSize, n: outFeatures, k: width, a: cache.features.pointer,
      lda: width, b: combined, ldb: width, beta: 1, c: output, ldc: outFeatures)
  }

  /// Backward:
  /// ```
  /// d splineWeight += dyᵀ·φ,  d baseWeight += dyᵀ·SiLU(x),  d bias += Σ_b dy
  /// dF  = dy·[splineWeight | baseWeight]                      [batch, in·G + in]
  /// dx̂ᵢ = Σ_g dφ_{i,g}·φ_{i,g}·(−2(x̂ᵢ − c_g)/h²)
  /// dγᵢ += Σ_b dx̂ᵢ·nᵢ,  dβᵢ += Σ_b dx̂ᵢ                         (n = (x − mean)/σ)
  /// dx  = (1/σ)·(dn − mean(dn) − n·mean(dn·n)) + dF_silu·SiLU′(x),   dn = dx̂·γ
  /// ```
  public func backward(
    outputGradient: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, cache: Cache,
    inputGradient: UnsafeMutablePointer<Float>?
  ) {
    let batchSize = cache.batchSize
    let width = featureWidth
    let splineColumns = inFeatures * centerCount
    BLAS.sgemm(
      .transpose, .none, m: outFeatures, n: splineColumns, k: batchSize, a: outputGradient,
      lda: outFeatures, b: cache.features.pointer, ldb: width, beta: 1,
      c: gradients + splineWeight.offset, ldc: splineColumns)
    BLAS.sgemm(
      .transpose, .none, m: outFeatures, n: inFeatures, k: batchSize, a: outputGradient,
      lda: outFeatures, b: cache.features.pointer + splineColumns, ldb: width, beta: 1,
      c: gradients + baseWeight.offset, ldc: inFeatures)
    let biasGradient = gradients + baseBias.offset
    for row in 0..<batchSize {
      for o in 0..<outFeatures { biasGradient[o] += outputGradient[row * outFeatures + o] }
    }
    // The layer norm's parameters sit before the bases, so dF is needed even without dx.
    BLAS.sgemm(
      .none, .none, m: batchSize, n: width, k: outFeatures, a: outputGradient, lda: outFeatures,
      b: cache.combined.pointer, ldb: width, c: cache.featureGradient.pointer, ldc: width)
    let gamma = parameters + normWeight.offset
    let beta = parameters + normBias.offset
    let gammaGradient = gradients + normWeight.offset
    let betaGradient = gradients + normBias.offset
    let centres = buffers + grid.offset
    let h = spacing
    let scale = -2 / (h * h)
    let dn = cache.rowGradient.pointer
    for row in 0..<batchSize {
      let n = cache.normalized.pointer + row * inFeatures
      let features = cache.features.pointer + row * width
      let dF = cache.featureGradient.pointer + row * width
      for i in 0..<inFeatures {
        let normalized = n[i] * gamma[i] + beta[i]
        var dNormalized: Float = 0
        for g in 0..<centerCount {
          let column = i * centerCount + g
          dNormalized += dF[column] * features[column] * scale * (normalized - centres[g])
        }
        gammaGradient[i] += dNormalized * n[i]
        betaGradient[i] += dNormalized
        dn[i] = dNormalized * gamma[i]
      }
      guard let inputGradient else { continue }
      var meanDn: Float = 0
      var meanDnN: Float = 0
      for i in 0..<inFeatures {
        meanDn += dn[i]
        meanDnN += dn[i] * n[i]
      }
      meanDn /= Float(inFeatures)
      meanDnN /= Float(inFeatures)
      let inverse = cache.inverseDeviation[row]
      let x = cache.input.pointer + row * inFeatures
      let dx = inputGradient + row * inFeatures
      for i in 0..<inFeatures {
        dx[i] =
          inverse * (dn[i] - meanDn - n[i] * meanDnN)
          + dF[splineColumns + i] * BaseActivation.silu.derivative(x[i])
      }
    }
  }
}
