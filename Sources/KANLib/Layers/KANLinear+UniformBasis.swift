extension KANLinear {
  /// Eight samples at a time.
  typealias Lanes = SIMD8<Float>

  /// Bases (and derivatives) of one input whose knots are uniform, eight rows at a time.
  ///
  /// Concretely, with spacing h, span j (tⱼ ≤ x < tⱼ₊₁) and u = (x − tⱼ)/h, the window of order-r
  /// bases N(j − r + m, r), m = 0…r, follows the span-independent recursion
  /// `N[m] = ((u + r − m)·N[m − 1] + (m + 1 − u)·N[m]) / r` and dN[m]/dx = (N′[m − 1] − N′[m])/h
  /// with N′ the order k − 1 window. It equals Cox–de Boor on uniform knots up to rounding, so
  /// bases that do not exist near the ends (index outside 0..<G + k) are simply dropped.
  func uniformBases(
    feature: Int, input: UnsafePointer<Float>, batchSize: Int, knots: UnsafePointer<Float>,
    spacing: Float,
    features: UnsafeMutablePointer<Float>, firstBasis: UnsafeMutableBufferPointer<Int32>,
    derivatives: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Lanes>
  ) {
    let c = configuration
    let (inFeatures, count, order, knotCount) = (
      c.inFeatures, c.coefficientCount, c.splineOrder, c.knotCount
    )
    let width = c.featureWidth
    let lastKnot = knotCount &- 1
    let first = knots[0]
    let last = knots[lastKnot]
    let inverseSpacing = 1 / spacing
    let values = scratch
    let previous = scratch + (order &+ 1)
    // Span per lane (−1: outside the knots); a SIMD value, so nothing is allocated per call.
    var spans = SIMD8<Int32>(repeating: 0)
    var rowStart = 0
    while rowStart < batchSize {
      let lanes = min(8, batchSize &- rowStart)
      var u = Lanes(repeating: 0)
      for lane in 0..<lanes {
        let x = input[(rowStart &+ lane) &* inFeatures &+ feature]
        guard x >= first && x < last else {
          spans[lane] = -1
          continue
        }
        var span = min(max(Int((x - first) * inverseSpacing), 0), lastKnot &- 1)
        while span > 0 && x < knots[span] { span &-= 1 }
        while span < lastKnot &- 1 && x >= knots[span &+ 1] { span &+= 1 }
        spans[lane] = Int32(truncatingIfNeeded: span)
        u[lane] = (x - knots[span]) * inverseSpacing
      }
      values[0] = Lanes(repeating: 1)
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
      for lane in 0..<lanes {
        let row = rowStart &+ lane
        let slot = row &* inFeatures &+ feature
        let span = Int(spans[lane])
        guard span >= 0 else {
          firstBasis[slot] = Int32.min
          continue
        }
        let firstIndex = span &- order
        firstBasis[slot] = Int32(truncatingIfNeeded: firstIndex)
        let offset: Int = row &* width &+ inFeatures &+ feature &* count
        let target = features + offset
        for m in 0...order {
          let index = firstIndex &+ m
          if index >= 0 && index < count { target[index] = values[m][lane] }
        }
        if let derivatives {
          let local = derivatives + slot &* (order &+ 1)
          for m in 0...order {
            let below: Float = m >= 1 ? previous[m &- 1][lane] : 0
            let above: Float = m < order ? previous[m][lane] : 0
            local[m] = (below - above) * inverseSpacing
          }
        }
      }
      rowStart &+= 8
    }
  }
}
