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
    output: UnsafeMutablePointer<Float>, profile: StepProfile? = nil
  ) {
    precondition(batchSize > 0, "KANLinear.forward: batchSize must be positive, got \(batchSize)")
    let c = configuration
    cache.reserve(batchSize: batchSize)
    if needsInputGradient { cache.reserveInputGradient(batchSize: batchSize) }
    cache.batchSize = batchSize
    cache.hasDerivatives = needsInputGradient
    profile.measure(.elementwise) {
      cache.input.pointer.update(from: input, count: batchSize * c.inFeatures)
      buildCombinedWeight(parameters: parameters, into: cache.combinedWeight.pointer)
    }
    profile.measure(.basis) {
      buildFeatures(
        input: input, batchSize: batchSize, buffers: buffers, cache: cache,
        withDerivatives: needsInputGradient)
    }
    profile.measure(.gemm) {
      BLAS.sgemm(
        .none, .transpose, m: batchSize, n: c.outFeatures, k: c.featureWidth,
        a: cache.features.pointer, lda: c.featureWidth,
        b: cache.combinedWeight.pointer, ldb: c.featureWidth,
        c: output, ldc: c.outFeatures)
    }
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
    let spacing = cache.uniformSpacing.pointer
    computeUniformSpacing(buffers: buffers, into: spacing)
    for row in 0..<batchSize {
      let featureRow = features + row &* width
      let inputRow = input + row &* inFeatures
      for feature in 0..<inFeatures { featureRow[feature] = activation.value(inputRow[feature]) }
    }
    cache.firstBasis.withUnsafeMutableBufferPointer { firstBasis in
      withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 2 * (order + 1)) { lanes in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: order + 1) { scratch in
          let values = scratch.baseAddress.unsafelyUnwrapped
          for feature in 0..<inFeatures {
            let knots = knotsBase + feature &* knotCount
            if spacing[feature] > 0 {
              uniformBases(
                feature: feature, input: input, batchSize: batchSize, knots: knots,
                spacing: spacing[feature],
                features: features, firstBasis: firstBasis,
                derivatives: withDerivatives ? derivativeBase : nil,
                scratch: lanes.baseAddress.unsafelyUnwrapped)
              continue
            }
            for row in 0..<batchSize {
              let x = input[row &* inFeatures &+ feature]
              let slot = row &* inFeatures &+ feature
              let derivatives = withDerivatives ? derivativeBase + slot &* (order &+ 1) : nil
              guard
                let first = Self.evaluateBases(
                  at: x, knots: knots, knotCount: knotCount, order: order, values: values,
                  derivatives: derivatives)
              else {
                firstBasis[slot] = Int32.min
                continue
              }
              firstBasis[slot] = Int32(truncatingIfNeeded: first)
              let offset: Int = row &* width &+ inFeatures &+ feature &* count
              let target = features + offset
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
}
