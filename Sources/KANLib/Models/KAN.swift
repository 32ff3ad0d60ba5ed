import Dispatch

/// A Kolmogorov–Arnold network: ``KANLinear`` layers of the given widths, efficient-kan's `KAN`.
///
/// Concretely, for widths [w₀, w₁, …, w_L]: layer l maps [batch, w_l] → [batch, w_{l+1}];
/// tensors are named `layers.l.base_weight`, `layers.l.spline_weight`, `layers.l.spline_scaler`
/// (parameters) and `layers.l.grid` (buffer).
public final class KAN: Network {
  /// Layer widths, input first.
  public let widths: [Int]
  /// Hyperparameters shared by the layers.
  public let configuration: KANConfiguration
  /// The layers, first to last.
  public let layers: [KANLinear]
  /// Trainable tensors.
  public let parameters: TensorArena
  /// Gradients of `parameters` (same layout); backward accumulates into them.
  public let gradients: FloatBuffer
  /// The grids.
  public let buffers: TensorArena
  /// Whether backward also computes dL/dx of the network input.
  public var computesInputGradient = false
  /// Where forward and backward report their time (for `sweep bench`), if anywhere.
  public var profile: StepProfile?

  private let caches: [KANLinearCache]
  private var outputs: [FloatBuffer] = []
  private var layerInputGradients: [FloatBuffer] = []
  private var capacity = 0
  private var batchSize = 0
  private var lastForwardHadInputGradient = false

  /// Creates a network with zeroed parameters and uniform grids (e.g. to load a checkpoint).
  public init(widths: [Int], configuration: KANConfiguration = KANConfiguration()) {
    validateWidths(widths, network: "KAN")
    self.widths = widths
    self.configuration = configuration
    var parameterLayout = TensorLayout()
    var bufferLayout = TensorLayout()
    var layers: [KANLinear] = []
    for index in 0..<(widths.count - 1) {
      layers.append(
        KANLinear(
          configuration.layer(inFeatures: widths[index], outFeatures: widths[index + 1]),
          prefix: "layers.\(index)", parameters: &parameterLayout, buffers: &bufferLayout))
    }
    self.layers = layers
    parameters = TensorArena(layout: parameterLayout)
    gradients = FloatBuffer(count: parameterLayout.count)
    buffers = TensorArena(layout: bufferLayout)
    caches = layers.map { KANLinearCache(configuration: $0.configuration) }
    for layer in layers { layer.resetGrid(buffers: buffers.storage.pointer) }
  }

  /// A network of the same layers reading `source`'s parameter and buffer arenas, with its own
  /// gradients and caches (see ``Network/makeShard()``).
  init(sharing source: KAN) {
    widths = source.widths
    configuration = source.configuration
    layers = source.layers
    parameters = source.parameters
    buffers = source.buffers
    gradients = FloatBuffer(count: source.gradients.count)
    caches = zip(layers, source.caches).map { layer, cache in
      KANLinearCache(configuration: layer.configuration, combinedWeight: cache.combinedWeight)
    }
  }

  /// Builds every layer's combined weight once for this network and its shards (which read the
  /// same buffers), `parts` row ranges at a time on as many threads, and makes the next forward
  /// passes use it as built, until ``releaseCombinedWeights(shards:)``. Each row of the combined
  /// weight depends on its own parameters only, so the split does not change the bits.
  public func prepareCombinedWeights(shards: [Network], parts: Int) {
    for (layer, cache) in zip(layers, caches) {
      let rows = layer.configuration.outFeatures
      let count = max(1, min(parts, rows))
      let pointer = parameters.storage.pointer
      if count == 1 {
        layer.buildCombinedWeight(parameters: pointer, into: cache.combinedWeight.pointer)
      } else {
        nonisolated(unsafe) let target = cache.combinedWeight.pointer
        nonisolated(unsafe) let source = UnsafePointer(pointer)
        DispatchQueue.concurrentPerform(iterations: count) { part in
          layer.buildCombinedWeight(
            parameters: source, into: target,
            rows: (part * rows / count)..<((part + 1) * rows / count))
        }
      }
    }
    markCombinedWeights(prepared: true, shards: shards)
  }

  /// Forward passes build the combined weights from the parameters again.
  public func releaseCombinedWeights(shards: [Network]) {
    markCombinedWeights(prepared: false, shards: shards)
  }

  private func markCombinedWeights(prepared: Bool, shards: [Network]) {
    for cache in caches { cache.usesPreparedWeight = prepared }
    for case let shard as KAN in shards {
      for cache in shard.caches { cache.usesPreparedWeight = prepared }
    }
  }

  /// A shard sharing this network's parameters and grids; see ``Network/makeShard()``.
  public func makeShard() -> Network { KAN(sharing: self) }

  /// Creates and initializes a network, drawing every random number from `generator`.
  public convenience init(
    widths: [Int], configuration: KANConfiguration = KANConfiguration(),
    generator: inout KANRandom
  ) throws(BLAS.LeastSquaresError) {
    self.init(widths: widths, configuration: configuration)
    for layer in layers {
      try layer.initialize(
        parameters: parameters.storage.pointer, buffers: buffers.storage.pointer,
        generator: &generator)
    }
  }

  private func reserve(batchSize: Int) {
    guard batchSize > capacity else { return }
    outputs = layers.map { FloatBuffer(count: batchSize * $0.configuration.outFeatures) }
    layerInputGradients = layers.map { FloatBuffer(count: batchSize * $0.configuration.inFeatures) }
    capacity = batchSize
  }

  /// Runs the network; see ``Network/forward(_:batchSize:)``.
  public func forward(_ input: UnsafePointer<Float>, batchSize: Int) -> UnsafeMutablePointer<Float>
  {
    reserve(batchSize: batchSize)
    self.batchSize = batchSize
    lastForwardHadInputGradient = computesInputGradient
    var current = input
    for (index, layer) in layers.enumerated() {
      layer.forward(
        input: current, batchSize: batchSize, parameters: parameters.storage.pointer,
        buffers: buffers.storage.pointer, cache: caches[index],
        needsInputGradient: index > 0 || computesInputGradient, output: outputs[index].pointer,
        profile: profile)
      current = UnsafePointer(outputs[index].pointer)
    }
    return outputs[layers.count - 1].pointer
  }

  /// The output of layer `index` [batchSize, widths[index + 1]] of the last forward pass.
  func layerOutput(_ index: Int) -> UnsafePointer<Float> {
    UnsafePointer(outputs[index].pointer)
  }

  /// Backpropagates; see ``Network/backward(outputGradient:)``. The first layer skips its input
  /// gradient unless ``computesInputGradient`` is set.
  public func backward(outputGradient: UnsafePointer<Float>) {
    precondition(batchSize > 0, "KAN.backward: call forward first")
    var upstream = outputGradient
    for index in stride(from: layers.count - 1, through: 0, by: -1) {
      let wantsInput = index > 0 || lastForwardHadInputGradient
      layers[index].backward(
        outputGradient: upstream, parameters: parameters.storage.pointer,
        gradients: gradients.pointer, cache: caches[index],
        inputGradient: wantsInput ? layerInputGradients[index].pointer : nil, profile: profile)
      upstream = UnsafePointer(layerInputGradients[index].pointer)
    }
  }

  /// dL/dx of the last backward pass when ``computesInputGradient`` was set for its forward.
  public var inputGradient: UnsafePointer<Float>? {
    lastForwardHadInputGradient && !layerInputGradients.isEmpty
      ? UnsafePointer(layerInputGradients[0].pointer) : nil
  }

  /// efficient-kan's `forward(x, update_grid=True)`: each layer adapts its grid to its input,
  /// then passes its (function-preserving) output on.
  public func updateGrid(input: UnsafePointer<Float>, batchSize: Int, margin: Float = 0.01)
    throws(BLAS.LeastSquaresError)
  {
    reserve(batchSize: batchSize)
    var current = input
    for (index, layer) in layers.enumerated() {
      try layer.updateGrid(
        input: current, batchSize: batchSize, margin: margin,
        parameters: parameters.storage.pointer, buffers: buffers.storage.pointer)
      if index + 1 < layers.count {
        layer.forward(
          input: current, batchSize: batchSize, parameters: parameters.storage.pointer,
          buffers: buffers.storage.pointer, cache: caches[index], needsInputGradient: false,
          output: outputs[index].pointer)
        current = UnsafePointer(outputs[index].pointer)
      }
    }
    self.batchSize = 0
  }

  /// Sum of every layer's regularization loss; with `accumulateGradients`, adds
  /// `gradientScale ·` its gradient into ``gradients``.
  public func regularizationLoss(
    activation: Float, entropy: Float, accumulateGradients: Bool = false, gradientScale: Float = 1
  ) -> Float {
    layers.reduce(0) { total, layer in
      total
        + layer.regularizationLoss(
          activation: activation, entropy: entropy, parameters: parameters.storage.pointer,
          gradients: accumulateGradients ? gradients.pointer : nil, gradientScale: gradientScale)
    }
  }
}
