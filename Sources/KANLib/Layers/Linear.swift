/// A fully connected layer `y = x·weightᵀ + bias`, PyTorch's `nn.Linear`.
///
/// Concretely:
/// ```
/// x [batch, in], weight [out, in], bias [out], y [batch, out]
/// init: weight, bias ~ U(−1/√in, 1/√in)     (PyTorch's kaiming-uniform with a = √5)
/// ```
public struct Linear: Sendable {
  /// Input width.
  public let inFeatures: Int
  /// Output width.
  public let outFeatures: Int
  /// `weight` [out, in] in the parameter arena.
  public let weight: TensorEntry
  /// `bias` [out] in the parameter arena.
  public let bias: TensorEntry

  /// Declares the layer's tensors under `prefix` (e.g. `layers.0`).
  public init(inFeatures: Int, outFeatures: Int, prefix: String, parameters: inout TensorLayout) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    weight = parameters.add("\(prefix).weight", shape: [outFeatures, inFeatures])
    bias = parameters.add("\(prefix).bias", shape: [outFeatures])
  }

  /// Draws weight then bias from `generator`.
  public func initialize(parameters: UnsafeMutablePointer<Float>, generator: inout KANRandom) {
    let bound = 1 / Float(inFeatures).squareRoot()
    for index in 0..<weight.count {
      parameters[weight.offset + index] = generator.uniform(-bound, bound)
    }
    for index in 0..<bias.count {
      parameters[bias.offset + index] = generator.uniform(-bound, bound)
    }
  }

  /// y [batchSize, out] = x [batchSize, in]·weightᵀ + bias.
  public func forward(
    input: UnsafePointer<Float>, batchSize: Int, parameters: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>
  ) {
    let bias = parameters + self.bias.offset
    for row in 0..<batchSize {
      (output + row * outFeatures).update(from: bias, count: outFeatures)
    }
    BLAS.sgemm(
      .none, .transpose, m: batchSize, n: outFeatures, k: inFeatures,
      a: input, lda: inFeatures, b: parameters + weight.offset, ldb: inFeatures,
      beta: 1, c: output, ldc: outFeatures)
  }

  /// Accumulates d weight += dyᵀ·x and d bias += Σ dy; writes dx = dy·weight when asked.
  public func backward(
    outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>, batchSize: Int,
    parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>?
  ) {
    BLAS.sgemm(
      .transpose, .none, m: outFeatures, n: inFeatures, k: batchSize,
      a: outputGradient, lda: outFeatures, b: input, ldb: inFeatures,
      beta: 1, c: gradients + weight.offset, ldc: inFeatures)
    let biasGradient = gradients + bias.offset
    for row in 0..<batchSize {
      for o in 0..<outFeatures { biasGradient[o] += outputGradient[row * outFeatures + o] }
    }
    if let inputGradient {
      BLAS.sgemm(
        .none, .none, m: batchSize, n: inFeatures, k: outFeatures,
        a: outputGradient, lda: outFeatures, b: parameters + weight.offset, ldb: inFeatures,
        c: inputGradient, ldc: inFeatures)
    }
  }
}
