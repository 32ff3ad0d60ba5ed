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
    guard x >= knots[0] && x < knots[knotCount &- 1] else { return nil }
    var low = 0
    var high = knotCount &- 1
    while high &- low > 1 {
      let middle = (low &+ high) >> 1
      if knots[middle] <= x { low = middle } else { high = middle }
    }
    let span = low
    values[0] = 1
    for level in 1...max(1, order) where level <= order {
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
                values: local.baseAddress.unsafelyUnwrapped, derivatives: nil)
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
