extension KANLinear {
  /// The spline branch of every edge on `input`, before it is summed over inputs:
  /// `targets[b, i, o] = Σ_m B_m(x[b, i])·splineWeight[o, i, m]·splineScaler[o, i]` [batch, in, out].
  func splineBranch(
    input: UnsafePointer<Float>, batchSize: Int, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>
  ) -> [Float] {
    let c = configuration
    let (inFeatures, outFeatures, count) = (c.inFeatures, c.outFeatures, c.coefficientCount)
    let basis = bases(input: input, batchSize: batchSize, buffers: buffers)
    let spline = parameters + splineWeight.offset
    let scaler = splineScaler.map { parameters + $0.offset }
    var targets = [Float](repeating: 0, count: batchSize * inFeatures * outFeatures)
    for row in 0..<batchSize {
      for feature in 0..<inFeatures {
        let basisRow = (row * inFeatures + feature) * count
        for o in 0..<outFeatures {
          let edge = o * inFeatures + feature
          let scale = scaler?[edge] ?? 1
          var sum: Float = 0
          for m in 0..<count { sum += basis[basisRow + m] * (spline[edge * count + m] * scale) }
          targets[(row * inFeatures + feature) * outFeatures + o] = sum
        }
      }
    }
    return targets
  }

  /// Grid extension (pykan's `refine`): makes this layer, whose grid size may differ from
  /// `parent`'s, compute `parent`'s function.
  ///
  /// Concretely, per input feature with the parent's interior knots t₀ … t_G (G = parent's grid
  /// size) and this layer's grid size G′:
  /// ```
  /// knot[j]      = t(j·G/G′) for j in 0...G′, t(·) the piecewise-linear interpolation of the
  ///                parent's interior knots (a uniform parent grid gives a uniform refinement),
  ///                extended by k steps of (knot[G′] − knot[0])/G′ each side
  /// baseWeight   = parent's, splineScaler = parent's
  /// splineWeight = lstsq(B′(x), B(x)·(splineWeight ⊙ splineScaler)) / splineScaler
  /// ```
  /// on the samples x [batchSize, in] (the layer's inputs). When samples fall outside the interior
  /// [knot[0], knot[G′]], the interior is stretched (affinely, keeping the relative spacing) to
  /// cover them: there the parent's spline lives on its extension knots only, and a new grid
  /// that stopped at the old interior would drop it. When every parent knot is also a
  /// knot here (G′ a multiple of G on a uniform grid) the parent spline is exactly representable
  /// and the outputs agree to rounding; otherwise the fit is the least-squares best on `input`.
  /// The grid follows pykan's `initialize_grid_from_parent` (the new knots interpolate the old
  /// ones); pykan fits on the layer's training inputs, as here.
  public func refine(
    from parent: KANLinear, parentParameters: UnsafePointer<Float>,
    parentBuffers: UnsafePointer<Float>, input: UnsafePointer<Float>, batchSize: Int,
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>
  ) throws(BLAS.LeastSquaresError) {
    let c = configuration
    let p = parent.configuration
    precondition(
      c.inFeatures == p.inFeatures && c.outFeatures == p.outFeatures
        && c.splineOrder == p.splineOrder && (c.standaloneScaler == p.standaloneScaler),
      "KANLinear.refine: the parent must differ in grid size only")
    let (inFeatures, outFeatures, order) = (c.inFeatures, c.outFeatures, c.splineOrder)
    let targets = parent.splineBranch(
      input: input, batchSize: batchSize, parameters: parentParameters, buffers: parentBuffers)

    let oldKnots = parentBuffers + parent.grid.offset
    let knots = buffers + grid.offset
    for feature in 0..<inFeatures {
      let interior = oldKnots + feature * p.knotCount + p.splineOrder
      let featureKnots = knots + feature * c.knotCount
      for j in 0...c.gridSize {
        let position = Double(j) * Double(p.gridSize) / Double(c.gridSize)
        let left = min(Int(position), p.gridSize - 1)
        let fraction = Float(position - Double(left))
        featureKnots[order + j] = interior[left] + fraction * (interior[left + 1] - interior[left])
      }
      // Samples beyond the interior (where only the parent's extension knots reach) widen the
      // new interior by an affine stretch, keeping the relative spacing, so the fit covers them.
      var lowest = featureKnots[order]
      var highest = featureKnots[order + c.gridSize]
      for row in 0..<batchSize {
        let value = input[row * inFeatures + feature]
        if value.isFinite {
          lowest = min(lowest, value)
          highest = max(highest, value)
        }
      }
      let (first, last) = (featureKnots[order], featureKnots[order + c.gridSize])
      if lowest < first || highest > last {
        let stretch = (highest - lowest) / (last - first)
        for j in 0...c.gridSize {
          featureKnots[order + j] = lowest + (featureKnots[order + j] - first) * stretch
        }
      }
      extendKnots(
        featureKnots,
        step: (featureKnots[order + c.gridSize] - featureKnots[order]) / Float(c.gridSize))
    }

    let edges = outFeatures * inFeatures
    (parameters + baseWeight.offset).update(
      from: parentParameters + parent.baseWeight.offset, count: edges)
    if let scaler = splineScaler, let parentScaler = parent.splineScaler {
      (parameters + scaler.offset).update(
        from: parentParameters + parentScaler.offset, count: edges)
    }
    let samples = Array(UnsafeBufferPointer(start: input, count: batchSize * inFeatures))
    let refit = try fitSplineWeights(
      samples: samples, sampleCount: batchSize, targets: targets, buffers: buffers,
      method: .completeOrthogonal)
    storeRefit(refit, parameters: parameters)
  }
}
