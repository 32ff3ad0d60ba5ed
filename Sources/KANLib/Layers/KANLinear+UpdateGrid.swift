extension KANLinear {
  /// Adapts the grid to the batch and refits the spline so the layer's function is preserved.
  ///
  /// Concretely, per input feature with the batch's sorted values s[0..<batch]:
  /// ```
  /// adaptive[g] = s[⌊linspace(0, batch − 1, G + 1)[g]⌋]                 (torch.linspace, int64)
  /// h           = (s[last] − s[0] + 2·margin)/G
  /// uniform[g]  = g·h + s[0] − margin
  /// knots       = gridEps·uniform + (1 − gridEps)·adaptive, extended by k steps of h each side
  /// splineWeight = lstsq(B_new(x), B_old(x)·(splineWeight ⊙ splineScaler)) / splineScaler
  /// ```
  /// Deviation from efficient-kan: the division by `splineScaler` (efficient-kan keeps the
  /// scaled refit and so applies the scaler twice). The least-squares solve uses LAPACK `sgelsy`,
  /// which, like `torch.linalg.lstsq`, tolerates inputs that are constant over the batch.
  ///
  /// - Parameter input: x [batchSize, in].
  public func updateGrid(
    input: UnsafePointer<Float>, batchSize: Int, margin: Float = 0.01,
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>
  ) throws(BLAS.LeastSquaresError) {
    precondition(batchSize > 1, "KANLinear.updateGrid: needs at least 2 samples, got \(batchSize)")
    let c = configuration
    let (inFeatures, order) = (c.inFeatures, c.splineOrder)
    let samples = Array(UnsafeBufferPointer(start: input, count: batchSize * inFeatures))

    // The current spline branch per edge, before it is summed over inputs: [batch, in, out].
    let targets = splineBranch(
      input: input, batchSize: batchSize, parameters: parameters, buffers: buffers)

    let positions = Self.linspaceIndices(last: batchSize - 1, count: c.gridSize + 1)
    let eps = c.gridEps
    let oneMinusEps = Float(1 - Double(eps))
    let knots = buffers + grid.offset
    var column = [Float](repeating: 0, count: batchSize)
    for feature in 0..<inFeatures {
      for row in 0..<batchSize { column[row] = samples[row * inFeatures + feature] }
      column.sort()
      let smallest = column[0]
      let step = (column[batchSize - 1] - smallest + 2 * margin) / Float(c.gridSize)
      let featureKnots = knots + feature * c.knotCount
      for g in 0...c.gridSize {
        let uniform = Float(g) * step + smallest - margin
        featureKnots[order + g] = eps * uniform + oneMinusEps * column[positions[g]]
      }
      extendKnots(featureKnots, step: step)
    }

    let refit = try fitSplineWeights(
      samples: samples, sampleCount: batchSize, targets: targets, buffers: buffers,
      method: .completeOrthogonal)
    storeRefit(refit, parameters: parameters)
  }

  /// Writes the k extension knots on each side of one input's interior knots
  /// (`featureKnots[k…k + G]`), `step` apart.
  func extendKnots(_ featureKnots: UnsafeMutablePointer<Float>, step: Float) {
    let (order, gridSize) = (configuration.splineOrder, configuration.gridSize)
    for m in 1...order {
      featureKnots[order - m] = featureKnots[order] - step * Float(m)
      featureKnots[order + gridSize + m] = featureKnots[order + gridSize] + step * Float(m)
    }
  }

  /// splineWeight = refit / splineScaler (a scaler of 0 divides by 1), so the layer computes the
  /// fitted spline: the refit is of splineWeight ⊙ splineScaler.
  func storeRefit(_ refit: [Float], parameters: UnsafeMutablePointer<Float>) {
    let count = configuration.coefficientCount
    let spline = parameters + splineWeight.offset
    let scaler = splineScaler.map { UnsafePointer(parameters + $0.offset) }
    for edge in 0..<(configuration.outFeatures * configuration.inFeatures) {
      let scale = scaler?[edge] ?? 1
      let divisor = scale == 0 ? 1 : scale
      for m in 0..<count { spline[edge * count + m] = refit[edge * count + m] / divisor }
    }
  }

  /// `torch.linspace(0, last, count, dtype=torch.int64)`: evaluated in double from both ends
  /// (as ATen does) and truncated toward zero.
  static func linspaceIndices(last: Int, count: Int) -> [Int] {
    guard count > 1 else { return [0] }
    let step = Double(last) / Double(count - 1)
    let halfway = count / 2
    return (0..<count).map { index in
      let value =
        index < halfway ? step * Double(index) : Double(last) - step * Double(count - 1 - index)
      return Int(value)
    }
  }
}
