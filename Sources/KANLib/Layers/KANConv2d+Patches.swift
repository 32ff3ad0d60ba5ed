extension KANConv2d {
  /// Floats of [act(P) | B(P)] per chunk of patch rows: chunks of about 4 MB keep one chunk's
  /// features in cache between the basis kernel that writes them and the sgemm that reads them
  /// (BENCHMARKS.md compares chunk sizes).
  static let chunkFeatureFloats = 1 << 20

  /// Patch rows per chunk for this layer (at least one, at most `rows`).
  public func chunkRows(of rows: Int) -> Int {
    max(1, min(rows, Self.chunkFeatureFloats / configuration.groupLayer.featureWidth))
  }

  /// The geometry of one pass: input and output sizes and the patch-row count.
  struct Geometry {
    let batchSize: Int
    let height: Int
    let width: Int
    let outHeight: Int
    let outWidth: Int
    /// Output positions per image, H'·W'.
    var positions: Int { outHeight * outWidth }
    /// Patch rows of the batch, N·H'·W'.
    var rows: Int { batchSize * positions }
  }

  func geometry(batchSize: Int, height: Int, width: Int) -> Geometry {
    let size = configuration.outputSize(height: height, width: width)
    precondition(
      size.height > 0 && size.width > 0,
      "KANConv2d: a \(height)×\(width) input is smaller than the dilated kernel")
    return Geometry(
      batchSize: batchSize, height: height, width: width, outHeight: size.height,
      outWidth: size.width)
  }

  /// im2col (`unfold`) of group `group`, patch rows `rows`: writes [rows.count, patch].
  ///
  /// Row r = (n, y', x'), feature (c, i, j) reads x[n, g·C/G_c + c, y'·sh − ph + i·dh,
  /// x'·sw − pw + j·dw], or 0 when that falls in the padding. ``scatterPatches(_:group:rows:geometry:into:)``
  /// is its transpose.
  func gatherPatches(
    _ input: UnsafePointer<Float>, group: Int, rows: Range<Int>, geometry g: Geometry,
    into patches: UnsafeMutablePointer<Float>
  ) {
    visitPatches(group: group, rows: rows, geometry: g) { slot, source in
      patches[slot] = source.map { input[$0] } ?? 0
    }
  }

  /// col2im, the transpose of ``gatherPatches(_:group:rows:geometry:into:)``: adds each patch
  /// gradient into the input position it was read from (padding positions are dropped).
  func scatterPatches(
    _ patchGradients: UnsafePointer<Float>, group: Int, rows: Range<Int>, geometry g: Geometry,
    into inputGradient: UnsafeMutablePointer<Float>
  ) {
    visitPatches(group: group, rows: rows, geometry: g) { slot, source in
      if let source { inputGradient[source] += patchGradients[slot] }
    }
  }

  /// Calls `body(slot, source)` for every element of the patch rows `rows` of group `group`, in
  /// order: `slot` indexes the chunk's [rows.count, patch] matrix, `source` the NCHW input (nil in
  /// the padding).
  @inline(__always)
  private func visitPatches(
    group: Int, rows: Range<Int>, geometry g: Geometry, _ body: (Int, Int?) -> Void
  ) {
    let c = configuration
    let (kh, kw) = (c.kernel[0], c.kernel[1])
    let plane = g.height &* g.width
    var slot = 0
    for row in rows {
      let (image, position) = row.quotientAndRemainder(dividingBy: g.positions)
      let (outY, outX) = position.quotientAndRemainder(dividingBy: g.outWidth)
      let top = outY &* c.stride[0] &- c.padding[0]
      let left = outX &* c.stride[1] &- c.padding[1]
      for channel in 0..<c.groupInChannels {
        let planeStart = (image &* c.inChannels &+ group &* c.groupInChannels &+ channel) &* plane
        for i in 0..<kh {
          let y = top &+ i &* c.dilation[0]
          let rowInside = y >= 0 && y < g.height
          for j in 0..<kw {
            let x = left &+ j &* c.dilation[1]
            body(slot, rowInside && x >= 0 && x < g.width ? planeStart &+ y &* g.width &+ x : nil)
            slot &+= 1
          }
        }
      }
    }
  }

  /// Writes a chunk's group outputs [rows.count, O/G_c] into y [N, O, H', W'] (group-major
  /// channels).
  func scatterOutputs(
    _ values: UnsafePointer<Float>, group: Int, rows: Range<Int>, geometry g: Geometry,
    into output: UnsafeMutablePointer<Float>
  ) {
    visitOutputs(group: group, rows: rows, geometry: g) { slot, target in
      output[target] = values[slot]
    }
  }

  /// Reads a chunk's output gradients [rows.count, O/G_c] from dy [N, O, H', W'].
  func gatherOutputs(
    _ outputGradient: UnsafePointer<Float>, group: Int, rows: Range<Int>, geometry g: Geometry,
    into values: UnsafeMutablePointer<Float>
  ) {
    visitOutputs(group: group, rows: rows, geometry: g) { slot, target in
      values[slot] = outputGradient[target]
    }
  }

  @inline(__always)
  private func visitOutputs(
    group: Int, rows: Range<Int>, geometry g: Geometry, _ body: (Int, Int) -> Void
  ) {
    let c = configuration
    let out = c.groupOutChannels
    var slot = 0
    for row in rows {
      let (image, position) = row.quotientAndRemainder(dividingBy: g.positions)
      let first = (image &* c.outChannels &+ group &* out) &* g.positions &+ position
      for o in 0..<out {
        body(slot, first &+ o &* g.positions)
        slot &+= 1
      }
    }
  }
}
