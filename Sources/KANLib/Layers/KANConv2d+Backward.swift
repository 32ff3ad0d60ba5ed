extension KANConv2d {
  /// Backward pass of ``forward(input:batchSize:height:width:parameters:buffers:cache:output:profile:)``.
  ///
  /// Per group g and chunk of patch rows R, with P = im2col(x)[R] and F = [act(P) | B(P)]
  /// recomputed from the input, dY = dy's group-g channels at R [|R|, O/G_c]:
  /// ```
  /// dW_g += dYᵀ·F                          (one sgemm; chunks accumulate in order)
  /// dF    = dY·W_g,   dP = act′(P) ⊙ dF[:, :patch] + Σ_c dB_c/dP ⊙ dF[:, patch:]   (only for dx)
  /// dx   += col2im(dP)
  /// ```
  /// then dW_g splits into the three parameter gradients as ``KANLinear``'s backward does.
  /// Parameter gradients accumulate into `gradients`; dx is overwritten.
  ///
  /// - Parameters:
  ///   - outputGradient: dL/dy [N, O, H', W'].
  ///   - input: x of the forward pass [N, C, H, W] (the same values).
  ///   - inputGradient: dL/dx [N, C, H, W], or nil to skip it (a first layer).
  public func backward(
    outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>,
    parameters: UnsafePointer<Float>, buffers: UnsafePointer<Float>,
    gradients: UnsafeMutablePointer<Float>, cache: KANConv2dCache,
    inputGradient: UnsafeMutablePointer<Float>?, profile: StepProfile? = nil
  ) {
    precondition(cache.batchSize > 0, "KANConv2d.backward: no forward pass is cached")
    let g = geometry(batchSize: cache.batchSize, height: cache.height, width: cache.width)
    let layer = configuration.groupLayer
    let (out, featureWidth) = (layer.outFeatures, layer.featureWidth)
    let chunk = chunkRows(of: g.rows)
    let wantsInput = inputGradient != nil
    if let inputGradient {
      inputGradient.update(
        repeating: 0, count: g.batchSize * configuration.inChannels * g.height * g.width)
    }
    for (group, groupLayer) in groupLayers.enumerated() {
      let groupCache = cache.groups[group]
      for first in stride(from: 0, to: g.rows, by: chunk) {
        let rows = first..<min(first + chunk, g.rows)
        let count = rows.count
        groupCache.reserve(batchSize: count)
        if wantsInput { groupCache.reserveInputGradient(batchSize: count) }
        groupCache.batchSize = count
        groupCache.hasDerivatives = wantsInput
        profile.measure(.elementwise) {
          gatherPatches(
            input, group: group, rows: rows, geometry: g, into: groupCache.input.pointer)
          gatherOutputs(
            outputGradient, group: group, rows: rows, geometry: g, into: cache.rowValues.pointer)
        }
        profile.measure(.basis) {
          groupLayer.buildFeatures(
            input: groupCache.input.pointer, batchSize: count, buffers: buffers,
            cache: groupCache, withDerivatives: wantsInput)
        }
        profile.measure(.gemm) {
          BLAS.sgemm(
            .transpose, .none, m: out, n: featureWidth, k: count,
            a: cache.rowValues.pointer, lda: out, b: groupCache.features.pointer,
            ldb: featureWidth, beta: first == 0 ? 0 : 1,
            c: groupCache.combinedWeightGradient.pointer, ldc: featureWidth)
        }
        guard let inputGradient else { continue }
        profile.measure(.gemm) {
          BLAS.sgemm(
            .none, .none, m: count, n: featureWidth, k: out,
            a: cache.rowValues.pointer, lda: out, b: groupCache.combinedWeight.pointer,
            ldb: featureWidth, c: groupCache.featureGradient.pointer, ldc: featureWidth)
        }
        profile.measure(.elementwise) {
          groupLayer.accumulateInputGradient(cache: groupCache, into: cache.patches.pointer)
          scatterPatches(
            cache.patches.pointer, group: group, rows: rows, geometry: g, into: inputGradient)
        }
      }
      profile.measure(.elementwise) {
        groupLayer.splitWeightGradient(
          groupCache.combinedWeightGradient.pointer, parameters: parameters, gradients: gradients)
      }
    }
  }
}
