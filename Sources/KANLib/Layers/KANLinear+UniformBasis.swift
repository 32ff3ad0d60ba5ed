extension KANLinear {
  /// Eight inputs at a time.
  typealias Lanes = SIMD8<Float>

  /// The SIMD kernel's one rule, stated once: it writes whole `Lanes` vectors and an input's
  /// k + 1 bases from its first basis on, so it may write up to `vectorSpill` floats past the
  /// block it fills. Buffers it writes carry that many floats of padding
  /// (``KANLinearCache/padding``), and it handles only orders whose k + 1 bases fit in that
  /// window: k ≤ 7.
  static let vectorSpill = Lanes.scalarCount

  /// Whether the SIMD kernel handles spline order `order` (k + 1 ≤ ``vectorSpill``).
  static func vectorKernelHandles(order: Int) -> Bool { order + 1 <= vectorSpill }

  /// Features of eight consecutive inputs of one row whose knots are all uniform: writes the
  /// inputs' whole spline blocks (zeros and the k + 1 possibly non-zero bases),
  /// the first-basis indices and, if asked, the basis derivatives.
  ///
  /// Concretely, with spacing h, span j (tⱼ ≤ x < tⱼ₊₁, found exactly against the knots) and
  /// u = (x − tⱼ)/h, the window of order-r bases N(j − r + m, r), m = 0…r, follows the
  /// span-independent recursion `N[m] = ((u + r − m)·N[m − 1] + (m + 1 − u)·N[m]) / r`, and
  /// dN[m]/dx = (N′[m − 1] − N′[m])/h with N′ the order k − 1 window. It equals Cox–de Boor on
  /// uniform knots up to rounding; bases whose index falls outside 0..<G + k are dropped.
  ///
  /// Blocks are written whole with vector stores that may spill past the block (see
  /// ``vectorSpill``); callers fill blocks in increasing address order (rows, then inputs) so a
  /// later block overwrites the spill. Requires ``vectorKernelHandles(order:)``; `order` is k,
  /// passed in so a call with a constant unrolls the recursion.
  @inline(__always)
  func uniformFeatureGroup(
    order: Int,
    row: Int, firstFeature: Int, input: UnsafePointer<Float>, knotsBase: UnsafePointer<Float>,
    cache: KANLinearCache, featureRow: UnsafeMutablePointer<Float>,
    firstBasis: UnsafeMutablePointer<Int32>, derivatives: UnsafeMutablePointer<Float>?,
    scratch: UnsafeMutablePointer<Lanes>
  ) {
    let c = configuration
    let (inFeatures, count, knotCount) = (c.inFeatures, c.coefficientCount, c.knotCount)
    let lastSpan = knotCount &- 2
    let x = UnsafeRawPointer(input + (row &* inFeatures &+ firstFeature)).loadUnaligned(
      as: Lanes.self)

    let start = UnsafeRawPointer(cache.knotStart.pointer + firstFeature).loadUnaligned(
      as: Lanes.self)
    let end = UnsafeRawPointer(cache.knotEnd.pointer + firstFeature).loadUnaligned(as: Lanes.self)
    let inverse = UnsafeRawPointer(cache.inverseSpacing.pointer + firstFeature).loadUnaligned(
      as: Lanes.self)
    let inside = (x .>= start) .& (x .< end)
    // Span guess from the uniform spacing (0 for lanes outside, NaN included), then exact.
    var guess = ((x - start) * inverse).replacing(with: 0, where: .!inside).rounded(.down)
    guess.replace(with: Lanes(repeating: Float(lastSpan)), where: guess .> Float(lastSpan))
    var spans = VectorMath.integers(guess)
    var knot = Lanes(repeating: 0)
    var nextKnot = Lanes(repeating: 1)
    for lane in 0..<8 {
      let knots = knotsBase + ((firstFeature &+ lane) &* knotCount &+ Int(spans[lane]))
      knot[lane] = knots[0]
      nextKnot[lane] = knots[1]
    }
    let misplaced = inside .& ((x .< knot) .| (x .>= nextKnot))
    if any(misplaced) {
      for lane in 0..<8 where misplaced[lane] {
        let knots = knotsBase + (firstFeature &+ lane) &* knotCount
        var span = Int(spans[lane])
        let value = x[lane]
        while span > 0 && value < knots[span] { span &-= 1 }
        while span < lastSpan && value >= knots[span &+ 1] { span &+= 1 }
        spans[lane] = Int32(truncatingIfNeeded: span)
        knot[lane] = knots[span]
      }
    }
    let u = ((x - knot) * inverse).replacing(with: 0, where: .!inside)

    let values = scratch
    let previous = scratch + (order &+ 1)
    values[0] = Lanes(repeating: 1).replacing(with: 0, where: .!inside)
    for level in 1...order {
      if level == order && derivatives != nil {
        for m in 0..<order { previous[m] = values[m] }
      }
      let scale = Lanes(repeating: 1 / Float(level))
      values[level] = u * values[level &- 1] * scale
      var m = level &- 1
      while m >= 1 {
        let left = u + Lanes(repeating: Float(level &- m))
        let right = Lanes(repeating: Float(m &+ 1)) - u
        values[m] = (left * values[m &- 1] + right * values[m]) * scale
        m &-= 1
      }
      values[0] = (Lanes(repeating: 1) - u) * values[0] * scale
    }

    let firstIndices = spans &- Int32(truncatingIfNeeded: order)
    let slot = row &* inFeatures &+ firstFeature
    UnsafeMutableRawPointer(firstBasis + slot).storeBytes(
      of: firstIndices.replacing(with: Int32.min, where: .!inside), as: SIMD8<Int32>.self)
    let zeros = Lanes(repeating: 0)
    for lane in 0..<8 {
      let block = featureRow + (inFeatures &+ (firstFeature &+ lane) &* count)
      var filled = 0
      while filled < count {
        UnsafeMutableRawPointer(block + filled).storeBytes(of: zeros, as: Lanes.self)
        filled &+= 8
      }
      let firstIndex = Int(firstIndices[lane])
      if firstIndex >= 0 {
        // Indices ≥ count land in the next block (overwritten later) or the padding.
        for m in 0...order { block[firstIndex &+ m] = values[m][lane] }
      } else {
        for m in 0...order where firstIndex &+ m >= 0 { block[firstIndex &+ m] = values[m][lane] }
      }
    }
    guard let derivatives else { return }
    // dN[m]/dx per lane, then each input's k + 1 values stored contiguously (spilling forward).
    for m in 0...order {
      let below: Lanes = m >= 1 ? previous[m &- 1] : zeros
      let above: Lanes = m < order ? previous[m] : zeros
      values[m] = (below - above) * inverse
    }
    for lane in 0..<8 {
      let local = derivatives + (slot &+ lane) &* (order &+ 1)
      for m in 0...order { local[m] = values[m][lane] }
    }
  }
}
