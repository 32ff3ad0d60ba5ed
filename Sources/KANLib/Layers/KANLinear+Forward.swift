extension KANLinear {
  /// y = [act(x) | B(x)] · [baseWeight | splineWeight ⊙ splineScaler]ᵀ as one sgemm.
  ///
  /// - Parameters:
  ///   - input: x [batchSize, in].
  ///   - parameters: the parameter arena's storage.
  ///   - buffers: the buffer arena's storage (the grid).
  ///   - cache: receives what ``backward(outputGradient:parameters:gradients:cache:inputGradient:)``
  ///     needs.
  ///   - needsInputGradient: whether to keep dB/dx for an input gradient.
  ///   - output: y [batchSize, out], overwritten.
  public func forward(
    input: UnsafePointer<Float>, batchSize: Int,
    parameters: UnsafePointer<Float>, buffers: UnsafePointer<Float>,
    cache: KANLinearCache, needsInputGradient: Bool,
    output: UnsafeMutablePointer<Float>
  ) {
    precondition(batchSize > 0, "KANLinear.forward: batchSize must be positive, got \(batchSize)")
    let c = configuration
    cache.reserve(batchSize: batchSize)
    cache.batchSize = batchSize
    cache.hasDerivatives = needsInputGradient
    cache.input.pointer.update(from: input, count: batchSize * c.inFeatures)
    buildCombinedWeight(parameters: parameters, into: cache.combinedWeight.pointer)
    buildFeatures(
      input: input, batchSize: batchSize, buffers: buffers, cache: cache,
      withDerivatives: needsInputGradient)
    BLAS.sgemm(
      .none, .transpose, m: batchSize, n: c.outFeatures, k: c.featureWidth,
      a: cache.features.pointer, lda: c.featureWidth,
      b: cache.combinedWeight.pointer, ldb: c.featureWidth,
      c: output, ldc: c.outFeatures)
  }

  /// Fills `cache.features` with [act(x) | B(x)] and, if asked, the basis derivatives.
  func buildFeatures(
    input: UnsafePointer<Float>, batchSize: Int, buffers: UnsafePointer<Float>,
    cache: KANLinearCache, withDerivatives: Bool
  ) {
    let c = configuration
    let (inFeatures, count, order, knotCount) =
      (c.inFeatures, c.coefficientCount, c.splineOrder, c.knotCount)
    let width = c.featureWidth
    let features = cache.features.pointer
    features.update(repeating: 0, count: batchSize * width)
    let derivativeBase = cache.basisDerivatives.pointer
    let knotsBase = buffers + grid.offset
    let activation = c.baseActivation
    cache.firstBasis.withUnsafeMutableBufferPointer { firstBasis in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: order + 1) { scratch in
        let values = scratch.baseAddress.unsafelyUnwrapped
        for row in 0..<batchSize {
          let featureRow = features + row &* width
          for feature in 0..<inFeatures {
            let x = input[row &* inFeatures &+ feature]
            featureRow[feature] = activation.value(x)
            let slot = row &* inFeatures &+ feature
            let derivatives = withDerivatives ? derivativeBase + slot &* (order &+ 1) : nil
            guard
              let first = Self.evaluateBases(
                at: x, knots: knotsBase + feature &* knotCount, knotCount: knotCount,
                order: order, values: values, derivatives: derivatives)
            else {
              firstBasis[slot] = Int32.min
              continue
            }
            firstBasis[slot] = Int32(truncatingIfNeeded: first)
            let target = featureRow + (inFeatures &+ feature &* count)
            for m in 0...order {
              let index = first &+ m
              if index >= 0 && index < count { target[index] = values[m] }
            }
          }
        }
      }
    }
  }
}
