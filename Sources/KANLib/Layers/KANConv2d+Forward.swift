extension KANConv2d {
  /// y = KANConv2d(x), group by group, chunk by chunk of patch rows.
  ///
  /// Per group g: build W_g = [baseWeight_g | splineWeight_g ⊙ splineScaler_g] once; per chunk
  /// of rows R: P = im2col(x)[R], Y[R] = [act(P) | B(P)]·W_gᵀ (``KANLinear``'s forward, one
  /// sgemm), scattered into y's channels g·O/G_c ..< (g + 1)·O/G_c.
  ///
  /// - Parameters:
  ///   - input: x [batchSize, C, height, width]; backward needs the same values again.
  ///   - output: y [batchSize, O, H', W'], overwritten.
  public func forward(
    input: UnsafePointer<Float>, batchSize: Int, height: Int, width: Int,
    parameters: UnsafePointer<Float>, buffers: UnsafePointer<Float>, cache: KANConv2dCache,
    output: UnsafeMutablePointer<Float>, profile: StepProfile? = nil
  ) {
    precondition(batchSize > 0, "KANConv2d.forward: batchSize must be positive, got \(batchSize)")
    let g = geometry(batchSize: batchSize, height: height, width: width)
    (cache.batchSize, cache.height, cache.width) = (batchSize, height, width)
    let chunk = chunkRows(of: g.rows)
    cache.reserve(rows: chunk)
    for (group, layer) in groupLayers.enumerated() {
      let groupCache = cache.groups[group]
      profile.measure(.elementwise) {
        layer.buildCombinedWeight(parameters: parameters, into: groupCache.combinedWeight.pointer)
      }
      groupCache.usesPreparedWeight = true
      for first in stride(from: 0, to: g.rows, by: chunk) {
        let rows = first..<min(first + chunk, g.rows)
        profile.measure(.elementwise) {
          gatherPatches(
            input, group: group, rows: rows, geometry: g, into: cache.patches.pointer)
        }
        layer.forward(
          input: cache.patches.pointer, batchSize: rows.count, parameters: parameters,
          buffers: buffers, cache: groupCache, needsInputGradient: false,
          output: cache.rowValues.pointer, profile: profile)
        profile.measure(.elementwise) {
          scatterOutputs(
            cache.rowValues.pointer, group: group, rows: rows, geometry: g, into: output)
        }
      }
    }
  }
}
