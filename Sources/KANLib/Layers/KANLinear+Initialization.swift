extension KANLinear {
  /// Initializes the grid and parameters as efficient-kan's `reset_parameters`.
  ///
  /// Concretely, drawing from `generator` in this order:
  /// ```
  /// grid         = uniform extended knots over gridRange
  /// baseWeight   ~ U(−b, b),  b = √(6 / ((1 + a²)·in)),  a = √5·scaleBase      (kaiming-uniform)
  /// noise        = (U[G + 1, in, out] − ½)·scaleNoise/G
  /// splineWeight = lstsq(B(interior knots), noise)        (LAPACK sgels; ·scaleSpline without scaler)
  /// splineScaler ~ U(−b, b),  a = √5·scaleSpline
  /// ```
  public func initialize(
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
    generator: inout KANRandom
  ) throws(BLAS.LeastSquaresError) {
    let c = configuration
    resetGrid(buffers: buffers)
    Self.kaimingUniform(
      parameters + baseWeight.offset, count: baseWeight.count, fanIn: c.inFeatures,
      scale: c.scaleBase, generator: &generator)

    try initializeSplineWeights(parameters: parameters, buffers: buffers, generator: &generator)
    if let splineScaler {
      Self.kaimingUniform(
        parameters + splineScaler.offset, count: splineScaler.count, fanIn: c.inFeatures,
        scale: c.scaleSpline, generator: &generator)
    }
  }

  /// efficient-kan's spline initialization: `splineWeight` = least-squares fit of noise
  /// (U[G + 1, in, out] − ½)·scaleNoise/G drawn from `generator` at the interior knots of the
  /// current grid (·scaleSpline without a standalone scaler).
  func initializeSplineWeights(
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
    generator: inout KANRandom
  ) throws(BLAS.LeastSquaresError) {
    let c = configuration
    let sampleCount = c.gridSize + 1
    var noise = [Float](repeating: 0, count: sampleCount * c.inFeatures * c.outFeatures)
    for index in noise.indices {
      noise[index] = (generator.nextFloat() - 0.5) * c.scaleNoise / Float(c.gridSize)
    }
    var samples = [Float](repeating: 0, count: sampleCount * c.inFeatures)
    let knots = buffers + grid.offset
    for sample in 0..<sampleCount {
      for feature in 0..<c.inFeatures {
        samples[sample * c.inFeatures + feature] =
          knots[feature * c.knotCount + c.splineOrder + sample]
      }
    }
    let fitted = try fitSplineWeights(
      samples: samples, sampleCount: sampleCount, targets: noise, buffers: buffers, method: .qr)
    let factor = c.standaloneScaler ? 1 : c.scaleSpline
    let spline = parameters + splineWeight.offset
    for index in fitted.indices { spline[index] = factor * fitted[index] }
  }

  /// Fills `count` values with kaiming-uniform draws for gain parameter a = √5·scale.
  static func kaimingUniform(
    _ target: UnsafeMutablePointer<Float>, count: Int, fanIn: Int, scale: Float,
    generator: inout KANRandom
  ) {
    let a = Double(scale) * 5.0.squareRoot()
    let bound = Float((6 / ((1 + a * a) * Double(fanIn))).squareRoot())
    for index in 0..<count { target[index] = generator.uniform(-bound, bound) }
  }

  /// Least-squares spline coefficients reproducing `targets`, efficient-kan's `curve2coeff`.
  ///
  /// Concretely, for each input feature i independently:
  /// `min ‖B_i(samples[:, i])·C_i − targets[:, i, :]‖`, B_i [sampleCount, G + k].
  /// - Parameters:
  ///   - samples: [sampleCount, in].
  ///   - targets: [sampleCount, in, out].
  /// - Returns: coefficients [out, in, G + k].
  public func fitSplineWeights(
    samples: [Float], sampleCount: Int, targets: [Float], buffers: UnsafePointer<Float>,
    method: BLAS.LeastSquaresMethod
  ) throws(BLAS.LeastSquaresError) -> [Float] {
    let c = configuration
    let (inFeatures, outFeatures, count) = (c.inFeatures, c.outFeatures, c.coefficientCount)
    precondition(
      samples.count == sampleCount * inFeatures,
      "fitSplineWeights: samples has \(samples.count) values, expected \(sampleCount)×\(inFeatures)"
    )
    precondition(
      targets.count == sampleCount * inFeatures * outFeatures,
      "fitSplineWeights: targets has \(targets.count) values, expected "
        + "\(sampleCount)×\(inFeatures)×\(outFeatures)")
    let basis = samples.withUnsafeBufferPointer { pointer in
      bases(
        input: pointer.start("KANLinear.fitSplineWeights"), batchSize: sampleCount, buffers: buffers
      )
    }
    let leading = max(sampleCount, count)
    var result = [Float](repeating: 0, count: outFeatures * inFeatures * count)
    var matrix = [Float](repeating: 0, count: sampleCount * count)
    var rhs = [Float](repeating: 0, count: leading * outFeatures)
    for feature in 0..<inFeatures {
      for sample in 0..<sampleCount {
        for m in 0..<count {
          matrix[sample + m * sampleCount] = basis[(sample * inFeatures + feature) * count + m]
        }
        for o in 0..<outFeatures {
          rhs[sample + o * leading] = targets[(sample * inFeatures + feature) * outFeatures + o]
        }
      }
      try matrix.withUnsafeMutableBufferPointer { (a) throws(BLAS.LeastSquaresError) in
        try rhs.withUnsafeMutableBufferPointer { (b) throws(BLAS.LeastSquaresError) in
          try BLAS.leastSquares(
            columnMajor: a.start("KANLinear.fitSplineWeights"), rows: sampleCount, columns: count,
            rightHandSides: outFeatures, rhs: b.start("KANLinear.fitSplineWeights"), method: method)
        }
      }
      for o in 0..<outFeatures {
        for m in 0..<count {
          result[(o * inFeatures + feature) * count + m] = rhs[m + o * leading]
        }
      }
    }
    return result
  }
}
