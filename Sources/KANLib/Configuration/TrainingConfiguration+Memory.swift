import Foundation

extension TrainingConfiguration {
  /// Layer widths of the network this configuration trains: the dataset's input width, the hidden
  /// widths (``networkHiddenLayers``), the dataset's output width.
  public var layerWidths: [Int] {
    [datasetWidths.input] + networkHiddenLayers + [datasetWidths.output]
  }

  /// The dataset's input and output widths.
  public var datasetWidths: (input: Int, output: Int) {
    dataset.isClassification ? (28 * 28, 10) : (SyntheticTask.inputWidth(of: dataset), 1)
  }

  /// An estimate (from above) of the memory a training run of this configuration needs, in bytes,
  /// without allocating anything: so a sweep can refuse a trial that cannot fit before a worker
  /// runs out of memory.
  ///
  /// Concretely, in 4-byte floats unless noted, with R = max(batch size, 500 evaluation rows)
  /// and, per layer from `in` to `out` (KAN: c = G + k coefficients, w = in·(1 + c) features):
  /// ```
  /// parameters P = Σ out·in·c + 2·out·in   (KAN)   or  Σ out·in + out   (MLP)
  /// optimizer    4·P                       (parameters, gradients, AdamW's two moments;
  ///                                        L-BFGS 28·P: six work vectors, a history of 10 pairs)
  /// grids        G = the largest of `grid_schedule`; extending also holds the parent network
  ///              (P) and batch·in·(out + G + k) least-squares floats per layer; Chebyshev
  ///              KANs count D + 1 for G + k
  /// shards       S − 1 more gradients (P each), combined-weight gradients and caches for the
  ///              batch's rows
  /// KAN layer    2·out·w                   (combined weight and its gradient)
  ///              + R·(2·w + in·(k + 3) + out) + in·(G + 2k + 1)   (features and their gradient,
  ///                                        input copy, span indices, basis derivatives, output,
  ///                                        input gradient, grid)
  /// MLP layer    R·(2·out + in)
  /// data         image sets 70,000·(784 + 1) bytes, read once more while loading;
  ///              synthetic tasks (train + test limit)·(in + 1) floats
  /// process      40 MB (Swift runtime, OpenBLAS buffers)
  /// ```
  /// `sweep train --dataset mnist` with the defaults estimates 203 MB; its peak RSS was 130 MB
  /// (BENCHMARKS.md).
  public var estimatedMemoryBytes: Int {
    let widths = layerWidths.map(Double.init)
    let rows = Double(max(batchSize, Trainer.evaluationBatchSize))
    var parameters = 0.0
    var buffers = 0.0
    let largestGrid = gridSchedule.max() ?? gridSize
    // Coefficients per edge: G + k (B-splines; at least RBF's G), or D + 1 (Chebyshev).
    let count = Double(basis == .chebyshev ? max(degree + 1, 1) : largestGrid + splineOrder)
    let extraShards = Double(max(shards, 1) - 1)
    let extends = gridSchedule.count > 1
    if model == .convKAN {
      (parameters, buffers) = convolutionMemory(
        rows: Double(max(batchSize, ConvKAN.evaluationImages)))
    }
    for (input, output) in zip(widths, widths.dropFirst()) {
      switch model {
      case .convKAN:
        break  // Counted above: its widths are not layers.
      case .kan:
        let width = input * (1 + count)
        parameters += output * input * count + 2 * output * input
        buffers += 2 * output * width
        buffers += rows * (2 * width + input * Double(splineOrder + 3) + output)
        buffers += input * Double(largestGrid + 2 * splineOrder + 1)
        // Grid extension: the parent network and the least-squares targets and bases.
        if extends { buffers += Double(batchSize) * input * (output + count) }
        // Shards: each its own combined-weight gradient and caches for its rows.
        if extraShards > 0 {
          buffers += extraShards * output * width
          buffers += Double(batchSize) * (2 * width + input * Double(splineOrder + 3) + output)
        }
      case .mlp:
        parameters += output * input + output
        buffers += rows * (2 * output + input)
        if extraShards > 0 { buffers += Double(batchSize) * (2 * output + input) }
      }
    }
    // AdamW: parameters, gradients, two moments. L-BFGS: parameters, gradients, six work
    // vectors and two per pair of its history of 10. A grid extension briefly holds both networks.
    let perParameter = (optimizer == .adamw ? 4.0 : 28.0) + (extends ? 1 : 0) + extraShards
    var bytes = 4 * (perParameter * parameters + buffers)
    if dataset.isClassification {
      bytes += 2 * 70_000 * (784 + 1)
    } else {
      let samples = Double((trainLimit ?? 1000) + (testLimit ?? 1000))
      bytes += 4 * samples * (widths[0] + 1)
    }
    bytes += 40e6
    return bytes >= Double(Int.max) ? Int.max : Int(bytes)
  }

  /// A conv_kan run's parameters and buffers, in floats, for batches of `rows` images:
  /// ```
  /// per image   the input copy, then per convolution l with M_l = c_l·H_l·W_l output floats:
  ///             its output and gradient, its norm's output, gradient and x̂ (5·M_l), the logits
  /// per conv    combined weight and gradient 2·O·w (w = patch·(1 + G + k)), one chunk's
  ///             features and their gradient (2·2²⁰), patches, derivatives and outputs
  ///             (chunk rows·(patch·(k + 3) + O)), grids
  /// ```
  private func convolutionMemory(rows: Double) -> (parameters: Double, buffers: Double) {
    let architecture = convKANConfiguration
    let sizes = architecture.spatialSizes
    var (parameters, buffers) = (0.0, rows * Double(datasetWidths.input + datasetWidths.output))
    for (index, layer) in architecture.convolutions.enumerated() {
      let linear = layer.groupLayer
      let (patch, out) = (Double(linear.inFeatures), Double(linear.outFeatures))
      let groups = Double(layer.groups)
      let width = Double(linear.featureWidth)
      parameters += groups * out * patch * Double(linear.coefficientCount + 2) + 2 * out * groups
      let maps = Double(layer.outChannels * sizes[index + 1].height * sizes[index + 1].width)
      buffers += rows * 5 * maps
      let chunkRows = max(1, Double(KANConv2d.chunkFeatureFloats) / width)
      buffers +=
        groups
        * (2 * out * width + 2 * Double(KANConv2d.chunkFeatureFloats)
          + chunkRows * (patch * Double(splineOrder + 3) + out) + patch * Double(linear.knotCount))
    }
    return (parameters, buffers)
  }
}
