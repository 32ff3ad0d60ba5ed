extension KANLinear {
  /// y = [act(x) | B(x)] · [baseWeight | splineWeight ⊙ splineScaler]ᵀ as one sgemm.
  ///
  /// - Parameters:
  ///   - input: x [batchSize, in].
  ///   - parameters: the parameter arena's storage.
  ///   - buffers: the buffer arena's storage (the grid).
  ///   - cache: receives what
  ///     ``backward(outputGradient:parameters:gradients:cache:inputGradient:profile:)``
  ///     needs.
  ///   - needsInputGradient: whether to keep dB/dx for an input gradient.
  ///   - output: y [batchSize, out], overwritten.
  ///   - profile: where to add the time of each part (for `sweep bench`), if anywhere.
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
      // x is needed again only for act′(x) in the input gradient.
      if needsInputGradient {
        cache.input.pointer.update(from: input, count: batchSize * c.inFeatures)
      }
      if !cache.usesPreparedWeight {
        buildCombinedWeight(parameters: parameters, into: cache.combinedWeight.pointer)
      }
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
  ///
  /// Row by row: act(x) for the whole row, then the spline blocks eight inputs at a time through
  /// the SIMD kernel when their knots are uniform (and ``vectorKernelHandles(order:)``), otherwise one input at a time with
  /// Cox–de Boor. Every element of every row is written, so the buffer needs no clearing; rows
  /// go in order because the SIMD kernel's stores may spill into the next row's first floats.
  func buildFeatures(
    input: UnsafePointer<Float>, batchSize: Int, buffers: UnsafePointer<Float>,
    cache: KANLinearCache, withDerivatives: Bool
  ) {
    let c = configuration
    let (inFeatures, order) = (c.inFeatures, c.splineOrder)
    let width = c.featureWidth
    let features = cache.features.pointer
    let derivatives = withDerivatives ? cache.basisDerivatives.pointer : nil
    let knotsBase = buffers + grid.offset
    summarizeKnots(buffers: buffers, cache: cache)
    let inverse = cache.inverseSpacing.pointer
    let groupWidth = Lanes.scalarCount
    let vectorGroups = Self.vectorKernelHandles(order: order) ? inFeatures / groupWidth : 0
    cache.firstBasis.withUnsafeMutableBufferPointer { firstBasis in
      let firstBasis = firstBasis.start("KANLinear.buildFeatures")
      withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 2 * (order + 1)) { lanes in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: order + 1) { scratch in
          let values = scratch.start("KANLinear.buildFeatures")
          let laneScratch = lanes.start("KANLinear.buildFeatures")
          for row in 0..<batchSize {
            let featureRow = features + row &* width
            c.baseActivation.apply(input + row &* inFeatures, count: inFeatures, into: featureRow)
            for group in 0..<vectorGroups {
              let firstFeature = group &* groupWidth
              let spacing = UnsafeRawPointer(inverse + firstFeature).loadUnaligned(as: Lanes.self)
              if all(spacing .> 0) && order == 3 {
                // k = 3 (the default) as a constant: the recursion unrolls into registers.
                uniformFeatureGroup(
                  order: 3, row: row, firstFeature: firstFeature, input: input,
                  knotsBase: knotsBase, cache: cache, featureRow: featureRow,
                  firstBasis: firstBasis, derivatives: derivatives, scratch: laneScratch)
              } else if all(spacing .> 0) {
                uniformFeatureGroup(
                  order: order, row: row, firstFeature: firstFeature, input: input,
                  knotsBase: knotsBase, cache: cache, featureRow: featureRow,
                  firstBasis: firstBasis, derivatives: derivatives, scratch: laneScratch)
              } else {
                for feature in firstFeature..<(firstFeature &+ groupWidth) {
                  generalFeature(
                    row: row, feature: feature, input: input, knotsBase: knotsBase,
                    featureRow: featureRow, firstBasis: firstBasis, derivatives: derivatives,
                    values: values)
                }
              }
            }
            for feature in (vectorGroups &* groupWidth)..<inFeatures {
              generalFeature(
                row: row, feature: feature, input: input, knotsBase: knotsBase,
                featureRow: featureRow, firstBasis: firstBasis, derivatives: derivatives,
                values: values)
            }
          }
        }
      }
    }
  }

  /// One input of one row with Cox–de Boor: writes its whole spline block, its first basis index
  /// and, if asked, its basis derivatives (act(x) is written for the whole row beforehand).
  @inline(__always)
  func generalFeature(
    row: Int, feature: Int, input: UnsafePointer<Float>, knotsBase: UnsafePointer<Float>,
    featureRow: UnsafeMutablePointer<Float>, firstBasis: UnsafeMutablePointer<Int32>,
    derivatives: UnsafeMutablePointer<Float>?, values: UnsafeMutablePointer<Float>
  ) {
    let c = configuration
    let (inFeatures, count, order, knotCount) =
      (c.inFeatures, c.coefficientCount, c.splineOrder, c.knotCount)
    let slot = row &* inFeatures &+ feature
    let x = input[slot]
    let block = featureRow + (inFeatures &+ feature &* count)
    block.update(repeating: 0, count: count)
    guard
      let first = Self.evaluateBases(
        at: x, knots: knotsBase + feature &* knotCount, knotCount: knotCount, order: order,
        values: values, derivatives: derivatives.map { $0 + slot &* (order &+ 1) })
    else {
      firstBasis[slot] = Int32.min
      return
    }
    firstBasis[slot] = Int32(truncatingIfNeeded: first)
    for m in 0...order {
      let index = first &+ m
      if index >= 0 && index < count { block[index] = values[m] }
    }
  }
}
