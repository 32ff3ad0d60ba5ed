extension KANLinear {
  /// Backward pass of ``forward(input:batchSize:parameters:buffers:cache:needsInputGradient:output:profile:)``.
  ///
  /// Concretely, with F = [act(x) | B(x)], W = [baseWeight | splineWeight ⊙ splineScaler], dy [batch, out]:
  /// ```
  /// dW = dyᵀ·F                              [out, in·(1 + G + k)]     (one sgemm)
  /// d baseWeight   += dW[:, :in]
  /// d splineWeight += dW[:, in:] ⊙ splineScaler
  /// d splineScaler += Σ_c dW[:, in:] ⊙ splineWeight
  /// dF = dy·W                               [batch, in·(1 + G + k)]   (one sgemm, only for dx)
  /// dx = act′(x) ⊙ dF[:, :in] + Σ_c dB_c/dx ⊙ dF[:, in:]   (overwritten, not accumulated)
  /// ```
  /// Parameter gradients accumulate into `gradients` (same layout as the parameter arena).
  public func backward(
    outputGradient: UnsafePointer<Float>,
    parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
    cache: KANLinearCache, inputGradient: UnsafeMutablePointer<Float>?, profile: StepProfile? = nil
  ) {
    let c = configuration
    let batchSize = cache.batchSize
    precondition(batchSize > 0, "KANLinear.backward: no forward pass is cached")
    let (outFeatures, width) = (c.outFeatures, c.featureWidth)
    let weightGradient = cache.combinedWeightGradient.pointer
    profile.measure(.gemm) {
      BLAS.sgemm(
        .transpose, .none, m: outFeatures, n: width, k: batchSize,
        a: outputGradient, lda: outFeatures, b: cache.features.pointer, ldb: width,
        c: weightGradient, ldc: width)
    }
    profile.measure(.elementwise) {
      splitWeightGradient(
        weightGradient, parameters: parameters, gradients: gradients)
    }
    guard let inputGradient else { return }
    precondition(
      cache.hasDerivatives,
      "KANLinear.backward: an input gradient needs a forward pass with needsInputGradient")
    let featureGradient = cache.featureGradient.pointer
    profile.measure(.gemm) {
      BLAS.sgemm(
        .none, .none, m: batchSize, n: width, k: outFeatures,
        a: outputGradient, lda: outFeatures, b: cache.combinedWeight.pointer, ldb: width,
        c: featureGradient, ldc: width)
    }
    profile.measure(.elementwise) {
      accumulateInputGradient(cache: cache, into: inputGradient)
    }
  }

  /// Adds dW [out, in·(1 + G + k)] to the three parameter gradients.
  func splitWeightGradient(
    _ weightGradient: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
    gradients: UnsafeMutablePointer<Float>
  ) {
    let c = configuration
    let (inFeatures, outFeatures, count) = (c.inFeatures, c.outFeatures, c.coefficientCount)
    let width = c.featureWidth

    let baseGradient = gradients + baseWeight.offset
    let splineGradient = gradients + splineWeight.offset
    let spline = parameters + splineWeight.offset
    for o in 0..<outFeatures {
      let row = weightGradient + o &* width
      let target = baseGradient + o &* inFeatures
      for i in 0..<inFeatures { target[i] = target[i] + row[i] }
    }
    if let splineScaler {
      let scaler = parameters + splineScaler.offset
      let scalerGradient = gradients + splineScaler.offset
      for o in 0..<outFeatures {
        let row = weightGradient + (o &* width &+ inFeatures)
        for i in 0..<inFeatures {
          let edge = o &* inFeatures &+ i
          let scale = scaler[edge]
          let source = row + i &* count
          let target = splineGradient + edge &* count
          let weights = spline + edge &* count
          // Eight coefficients at a time: d splineWeight += g·scale, d scaler += Σ g·splineWeight
          // (lane sums, then the lanes, then the tail).
          let scaleLanes = SIMD8<Float>(repeating: scale)
          var sums = SIMD8<Float>(repeating: 0)
          var m = 0
          while m &+ 8 <= count {
            let g = UnsafeRawPointer(source + m).loadUnaligned(as: SIMD8<Float>.self)
            let old = UnsafeRawPointer(target + m).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + m).storeBytes(
              of: old + g * scaleLanes, as: SIMD8<Float>.self)
            sums += g * UnsafeRawPointer(weights + m).loadUnaligned(as: SIMD8<Float>.self)
            m &+= 8
          }
          var scaleGradient = sums.sum()
          while m < count {
            let g = source[m]
            target[m] = target[m] + g * scale
            scaleGradient += g * weights[m]
            m &+= 1
          }
          scalerGradient[edge] = scalerGradient[edge] + scaleGradient
        }
      }
    } else {
      for o in 0..<outFeatures {
        let row = weightGradient + (o &* width &+ inFeatures)
        let target = splineGradient + o &* inFeatures &* count
        for index in 0..<(inFeatures &* count) {
          target[index] = target[index] + row[index]
        }
      }
    }
  }

  /// dx = act′(x) ⊙ dF[:, :in] + Σ dB/dx ⊙ dF[:, in:], from the cached features' gradient.
  func accumulateInputGradient(
    cache: KANLinearCache, into inputGradient: UnsafeMutablePointer<Float>
  ) {
    let c = configuration
    let (inFeatures, count, width) = (c.inFeatures, c.coefficientCount, c.featureWidth)
    let batchSize = cache.batchSize
    let featureGradient = cache.featureGradient.pointer
    let order = c.splineOrder
    let activation = c.baseActivation
    let input = cache.input.pointer
    let derivatives = cache.basisDerivatives.pointer
    cache.firstBasis.withUnsafeBufferPointer { firstBasis in
      for row in 0..<batchSize {
        let gradientRow = featureGradient + row &* width
        for feature in 0..<inFeatures {
          let slot = row &* inFeatures &+ feature
          var total = activation.derivative(input[slot]) * gradientRow[feature]
          let first = firstBasis[slot]
          if first != Int32.min {
            let splineRow = gradientRow + (inFeatures &+ feature &* count)
            let local = derivatives + slot &* (order &+ 1)
            for m in 0...order {
              let index = Int(first) &+ m
              if index >= 0 && index < count { total += local[m] * splineRow[index] }
            }
          }
          inputGradient[slot] = total
        }
      }
    }
  }
}
