extension KANLinear {
  /// Evaluates the k + 1 B-spline bases of order k that can be non-zero at `x`.
  ///
  /// Concretely: finds the span j with tⱼ ≤ x < tⱼ₊₁ (knots `knots[0..<knotCount]`, ascending),
  /// then runs the Cox–de Boor recursion
  /// `N(i,r) = (x − tᵢ)/(tᵢ₊ᵣ − tᵢ)·N(i,r−1) + (tᵢ₊ᵣ₊₁ − x)/(tᵢ₊ᵣ₊₁ − tᵢ₊₁)·N(i+1,r−1)`
  /// on the window i = j − r ... j only, with efficient-kan's operation order, so the values equal
  /// the dense computation. On return `values[m]` = N(j − k + m, k)(x) for m in 0...k (zero where
  /// that basis does not exist) and, if requested, `derivatives[m]` = dN(j − k + m, k)/dx =
  /// k·(N(i,k−1)/(tᵢ₊ₖ − tᵢ) − N(i+1,k−1)/(tᵢ₊ₖ₊₁ − tᵢ₊₁)).
  ///
  /// - Returns: j − k, the basis index of `values[0]` (may be negative near the left end), or
  ///   `nil` when x lies outside [t₀, t_last) and every basis is zero.
  @inline(__always)
  static func evaluateBases(
    at x: Float, knots: UnsafePointer<Float>, knotCount: Int, order: Int,
    values: UnsafeMutablePointer<Float>, derivatives: UnsafeMutablePointer<Float>?
  ) -> Int? {
    let lastKnot = knotCount &- 1
    guard x >= knots[0] && x < knots[lastKnot] else { return nil }
    // Guess the span as if the knots were uniform, then walk to the exact one: one step at most
    // on a uniform grid, a short walk on an adapted one; always tⱼ ≤ x < tⱼ₊₁.
    let guess = (x - knots[0]) / (knots[lastKnot] - knots[0]) * Float(lastKnot)
    var low = guess.isFinite ? min(max(Int(guess), 0), lastKnot &- 1) : 0
    while low > 0 && x < knots[low] { low &-= 1 }
    while low < lastKnot &- 1 && x >= knots[low &+ 1] { low &+= 1 }
    let span = low
    values[0] = 1
    if span >= order && span <= knotCount &- 2 &- order {
      // Interior span: every basis of the window exists at every level (no range checks).
      evaluateInterior(
        at: x, span: span, knots: knots, order: order, values: values, derivatives: derivatives)
      return span &- order
    }
    for level in 1...order {
      if level == order, let derivatives {
        for m in 0..<order {
          derivatives[m] = values[m]
        }
      }
      let lastIndex = knotCount &- 2 &- level
      var m = level
      while m >= 0 {
        let i = span &- level &+ m
        if i < 0 || i > lastIndex {
          values[m] = 0
        } else {
          let below: Float = m >= 1 ? values[m &- 1] : 0
          let above: Float = m <= level &- 1 ? values[m] : 0
          let left = (x - knots[i]) / (knots[i &+ level] - knots[i])
          let right = (knots[i &+ level &+ 1] - x) / (knots[i &+ level &+ 1] - knots[i &+ 1])
          values[m] = left * below + right * above
        }
        m &-= 1
      }
    }
    if let derivatives {
      // derivatives[0..<order] holds N(j − k + 1 + m, k − 1); turn it into dN(j − k + m, k)/dx.
      let k = Float(order)
      let lastIndex = knotCount &- 2 &- order
      var m = order
      while m >= 0 {
        let i = span &- order &+ m
        if i < 0 || i > lastIndex {
          derivatives[m] = 0
        } else {
          let below: Float = m >= 1 ? derivatives[m &- 1] : 0
          let above: Float = m <= order &- 1 ? derivatives[m] : 0
          derivatives[m] =
            k
            * (below / (knots[i &+ order] - knots[i])
              - above / (knots[i &+ order &+ 1] - knots[i &+ 1]))
        }
        m &-= 1
      }
    }
    return span &- order
  }

  /// ``evaluateBases(at:knots:knotCount:order:values:derivatives:)`` for a span whose whole
  /// window of bases exists: the same operations in the same order (same bits), without range
  /// checks. Kept for its measured effect on adapted (non-uniform) grids, where every input
  /// takes this path: basis time 2.77 → 1.92 ms per step (BENCHMARKS.md, "Hot-path tricks").
  @inline(__always)
  static func evaluateInterior(
    at x: Float, span: Int, knots: UnsafePointer<Float>, order: Int,
    values: UnsafeMutablePointer<Float>, derivatives: UnsafeMutablePointer<Float>?
  ) {
    for level in 1...order {
      if level == order, let derivatives {
        for m in 0..<order { derivatives[m] = values[m] }
      }
      let base = span &- level
      // m = level and m = 0 have one term each (the other basis lies outside the window and is 0).
      var i = base &+ level
      values[level] = (x - knots[i]) / (knots[i &+ level] - knots[i]) * values[level &- 1]
      var m = level &- 1
      while m >= 1 {
        i = base &+ m
        values[m] =
          (x - knots[i]) / (knots[i &+ level] - knots[i]) * values[m &- 1]
          + (knots[i &+ level &+ 1] - x) / (knots[i &+ level &+ 1] - knots[i &+ 1]) * values[m]
        m &-= 1
      }
      i = base
      values[0] =
        (knots[i &+ level &+ 1] - x) / (knots[i &+ level &+ 1] - knots[i &+ 1]) * values[0]
    }
    guard let derivatives else { return }
    let k = Float(order)
    var m = order
    while m >= 0 {
      let i = span &- order &+ m
      let below: Float = m >= 1 ? derivatives[m &- 1] : 0
      let above: Float = m <= order &- 1 ? derivatives[m] : 0
      derivatives[m] =
        k
        * (below / (knots[i &+ order] - knots[i]) - above / (knots[i &+ order &+ 1] - knots[i &+ 1]))
      m &-= 1
    }
  }

  /// Fills the cache's per-input knot summary: the first and last knot, and 1/spacing when the
  /// knots are uniform (within 1e-5 relative), else 0. Uniform inputs take the SIMD kernel in
  /// ``uniformFeatureGroup(order:row:firstFeature:input:knotsBase:cache:featureRow:firstBasis:derivatives:scratch:)``.
  func summarizeKnots(buffers: UnsafePointer<Float>, cache: KANLinearCache) {
    let c = configuration
    let (start, end, inverse) =
      (cache.knotStart.pointer, cache.knotEnd.pointer, cache.inverseSpacing.pointer)
    for feature in 0..<c.inFeatures {
      let knots = buffers + grid.offset + feature * c.knotCount
      let step = (knots[c.knotCount - 1] - knots[0]) / Float(c.knotCount - 1)
      var uniform = step > 0
      for i in 0..<(c.knotCount - 1) where abs((knots[i + 1] - knots[i]) - step) > 1e-5 * step {
        uniform = false
      }
      start[feature] = knots[0]
      end[feature] = knots[c.knotCount - 1]
      inverse[feature] = uniform ? 1 / step : 0
    }
  }

  /// The dense B-spline basis of this layer's inputs, as efficient-kan's `b_splines`.
  ///
  /// - Parameters:
  ///   - input: x [batchSize, in].
  ///   - buffers: the buffer arena holding this layer's grid.
  /// - Returns: B(x) [batchSize, in, G + k].
  public func bases(input: UnsafePointer<Float>, batchSize: Int, buffers: UnsafePointer<Float>)
    -> [Float]
  {
    let c = configuration
    let count = c.coefficientCount
    var result = [Float](repeating: 0, count: batchSize * c.inFeatures * count)
    var values = [Float](repeating: 0, count: c.splineOrder + 1)
    result.withUnsafeMutableBufferPointer { output in
      values.withUnsafeMutableBufferPointer { local in
        for row in 0..<batchSize {
          for feature in 0..<c.inFeatures {
            let x = input[row * c.inFeatures + feature]
            let knots = buffers + grid.offset + feature * c.knotCount
            guard
              let first = Self.evaluateBases(
                at: x, knots: knots, knotCount: c.knotCount, order: c.splineOrder,
                values: local.start("KANLinear.bases"), derivatives: nil)
            else { continue }
            for m in 0...c.splineOrder where first + m >= 0 && first + m < count {
              output[(row * c.inFeatures + feature) * count + first + m] = local[m]
            }
          }
        }
      }
    }
    return result
  }
}
