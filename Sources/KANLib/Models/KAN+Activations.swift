/// The learned univariate functions of one ``KANLinear`` layer, sampled for plotting (pykan's
/// `plot`).
public struct LearnedActivations: Sendable {
  /// Inputs of the layer.
  public var inFeatures: Int
  /// Outputs of the layer.
  public var outFeatures: Int
  /// Points per function.
  public var sampleCount: Int
  /// x [in, samples]: for each input, evenly spaced over its grid's range [t_k, t_{G+k}].
  public var inputs: [Float]
  /// φ [out, in, samples]: φ_{o,i}(x) = baseWeight[o,i]·act(x) + Σ_c splineWeight[o,i,c]·
  /// splineScaler[o,i]·B_c(x), the edge's contribution to output o.
  public var values: [Float]
  /// ‖φ_{o,i}‖₁ [out, in]: the mean of |φ_{o,i}(x)| over the samples.
  ///
  /// Deviation from pykan: pykan averages |φ| over the training inputs that reach the edge; a
  /// checkpoint holds no data, so the mean is over the grid's range (uniform weighting).
  public var l1: [Float]

  /// φ_{o,i} at every sample.
  public func values(output: Int, input: Int) -> ArraySlice<Float> {
    let start = (output * inFeatures + input) * sampleCount
    return values[start..<(start + sampleCount)]
  }

  /// The x values of input `input`.
  public func inputs(of input: Int) -> ArraySlice<Float> {
    inputs[(input * sampleCount)..<((input + 1) * sampleCount)]
  }
}

extension KAN {
  /// Samples every learned activation of layer `index` at `samples` points of each input's grid
  /// range (see ``LearnedActivations``).
  public func learnedActivations(layer index: Int, samples: Int = 33) -> LearnedActivations {
    precondition(layers.indices.contains(index) && samples >= 2, "learnedActivations: bad layer")
    let layer = layers[index]
    let c = layer.configuration
    let (inCount, outCount, count) = (c.inFeatures, c.outFeatures, c.coefficientCount)
    let grid = buffers.values(of: layer.grid)
    // x[s, i] over [t_k, t_{G+k}] of input i: the interval where the k + 1 bases sum to one.
    var rows = [Float](repeating: 0, count: samples * inCount)
    var inputs = [Float](repeating: 0, count: inCount * samples)
    for feature in 0..<inCount {
      let lower = grid[feature * c.knotCount + c.splineOrder]
      let upper = grid[feature * c.knotCount + c.gridSize + c.splineOrder]
      for sample in 0..<samples {
        // Nudged inside the upper end: B-splines are right-open there.
        let t = Float(sample) / Float(samples - 1) * 0.9999
        let x = lower + (upper - lower) * t
        rows[sample * inCount + feature] = x
        inputs[feature * samples + sample] = x
      }
    }
    let bases = rows.withUnsafeBufferPointer { input in
      layer.bases(
        input: input.start("learnedActivations"), batchSize: samples,
        buffers: buffers.storage.pointer)
    }
    let base = parameters.values(of: layer.baseWeight)
    let spline = parameters.values(of: layer.splineWeight)
    let scaler = layer.splineScaler.map { parameters.values(of: $0) }
    let activation = configuration.baseActivation
    var values = [Float](repeating: 0, count: outCount * inCount * samples)
    var l1 = [Float](repeating: 0, count: outCount * inCount)
    for output in 0..<outCount {
      for feature in 0..<inCount {
        let edge = output * inCount + feature
        let scale = scaler?[edge] ?? 1
        var total: Float = 0
        for sample in 0..<samples {
          let x = inputs[feature * samples + sample]
          var y = base[edge] * activation.value(x)
          let basis = (sample * inCount + feature) * count
          for coefficient in 0..<count {
            y += spline[edge * count + coefficient] * scale * bases[basis + coefficient]
          }
          values[edge * samples + sample] = y
          total += abs(y)
        }
        l1[edge] = total / Float(samples)
      }
    }
    return LearnedActivations(
      inFeatures: inCount, outFeatures: outCount, sampleCount: samples, inputs: inputs,
      values: values, l1: l1)
  }
}
