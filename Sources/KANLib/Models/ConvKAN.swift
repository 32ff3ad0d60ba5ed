/// A convolutional KAN: convkan's `nn.Sequential` of ``KANConv2d`` and ``LayerNorm2D`` layers
/// ending in global average pooling (see ``ConvKANConfiguration``).
///
/// Concretely, for L convolutions on x [N, C₀, H, W] (the network input [N, C₀·H·W], the same
/// memory): conv_l maps [N, c_l, H_l, W_l] → [N, c_{l+1}, H_{l+1}, W_{l+1}], a LayerNorm2D follows
/// every convolution but the last, and the logits are the last feature maps averaged over their
/// pixels, [N, c_L]. Tensors carry convkan's `state_dict` names, the Sequential's indices:
/// convolution l is `2l.kan_layer.{base_weight, spline_weight, spline_scaler, grid}`, its norm
/// `(2l + 1).{gamma, beta}`, so `load_state_dict` of convkan's model accepts our checkpoints.
public final class ConvKAN: Network {
  /// The architecture.
  public let configuration: ConvKANConfiguration
  /// [C₀·H·W, classes]: the flattened image in, the logits out.
  public let widths: [Int]
  /// The convolutions, first to last.
  public let convolutions: [KANConv2d]
  /// The norms after every convolution but the last.
  public let norms: [LayerNorm2D]
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
  /// Images per evaluation pass: a batch of convkan's size, since the feature maps of one
  /// image take C·H·W floats per layer (500 images would hold 200 MB of them).
  public var evaluationBatchSize: Int { Self.evaluationImages }
  /// Images per evaluation pass (convkan's batch size).
  public static let evaluationImages = 128

  private let sizes: [(height: Int, width: Int)]
  private let convolutionCaches: [KANConv2dCache]
  private let normCaches: [LayerNorm2DCache]
  private var input = FloatBuffer(count: 0)
  private var convolutionOutputs: [FloatBuffer] = []
  private var normOutputs: [FloatBuffer] = []
  private var convolutionOutputGradients: [FloatBuffer] = []
  private var normOutputGradients: [FloatBuffer] = []
  private var pooled = FloatBuffer(count: 0)
  private var networkInputGradient = FloatBuffer(count: 0)
  private var capacity = 0
  private var batchSize = 0
  private var lastForwardHadInputGradient = false

  /// Creates a network with zeroed parameters, γ = 1 and uniform grids (e.g. to load a
  /// checkpoint).
  public init(configuration: ConvKANConfiguration = ConvKANConfiguration()) {
    precondition(configuration.problems.isEmpty, "ConvKAN: \(configuration.problems)")
    self.configuration = configuration
    sizes = configuration.spatialSizes
    widths = [
      configuration.inputChannels * configuration.inputHeight * configuration.inputWidth,
      configuration.channels[configuration.channels.count - 1],
    ]
    var parameterLayout = TensorLayout()
    var bufferLayout = TensorLayout()
    var convolutions: [KANConv2d] = []
    var norms: [LayerNorm2D] = []
    let layers = configuration.convolutions
    for (index, layer) in layers.enumerated() {
      convolutions.append(
        KANConv2d(
          layer, prefix: "\(2 * index).kan_layer", parameters: &parameterLayout,
          buffers: &bufferLayout))
      if index + 1 < layers.count {
        norms.append(
          LayerNorm2D(
            channels: layer.outChannels, prefix: "\(2 * index + 1)", parameters: &parameterLayout))
      }
    }
    self.convolutions = convolutions
    self.norms = norms
    parameters = TensorArena(layout: parameterLayout)
    gradients = FloatBuffer(count: parameterLayout.count)
    buffers = TensorArena(layout: bufferLayout)
    convolutionCaches = layers.map { KANConv2dCache(configuration: $0) }
    normCaches = norms.map { _ in LayerNorm2DCache() }
    for convolution in convolutions { convolution.resetGrid(buffers: buffers.storage.pointer) }
    for norm in norms { norm.initialize(parameters: parameters.storage.pointer) }
  }

  /// Creates and initializes a network as convkan does, drawing from `generator`.
  public convenience init(configuration: ConvKANConfiguration, generator: inout KANRandom)
    throws(BLAS.LeastSquaresError)
  {
    self.init(configuration: configuration)
    for convolution in convolutions {
      try convolution.initialize(
        parameters: parameters.storage.pointer, buffers: buffers.storage.pointer,
        generator: &generator)
    }
  }

  /// A network of the same layers reading `source`'s arenas, with its own gradients and caches.
  private init(sharing source: ConvKAN) {
    configuration = source.configuration
    sizes = source.sizes
    widths = source.widths
    convolutions = source.convolutions
    norms = source.norms
    parameters = source.parameters
    buffers = source.buffers
    gradients = FloatBuffer(count: source.gradients.count)
    convolutionCaches = convolutions.map { KANConv2dCache(configuration: $0.configuration) }
    normCaches = norms.map { _ in LayerNorm2DCache() }
  }

  /// A shard sharing this network's parameters and grids; see ``Network/makeShard()``.
  public func makeShard() -> Network { ConvKAN(sharing: self) }

  /// Floats of the feature maps after convolution `index`, per image.
  private func mapSize(_ index: Int) -> Int {
    configuration.channels[index] * sizes[index + 1].height * sizes[index + 1].width
  }

  private func reserve(batchSize: Int) {
    guard batchSize > capacity else { return }
    let count = convolutions.count
    input = FloatBuffer(count: batchSize * widths[0])
    convolutionOutputs = (0..<count).map { FloatBuffer(count: batchSize * mapSize($0)) }
    convolutionOutputGradients = (0..<count).map { FloatBuffer(count: batchSize * mapSize($0)) }
    normOutputs = (0..<(count - 1)).map { FloatBuffer(count: batchSize * mapSize($0)) }
    normOutputGradients = (0..<(count - 1)).map { FloatBuffer(count: batchSize * mapSize($0)) }
    pooled = FloatBuffer(count: batchSize * widths[1])
    capacity = batchSize
  }

  /// Runs the network on images [batchSize, C₀, H, W] (flattened as [batchSize, C₀·H·W]);
  /// returns the logits [batchSize, classes], valid until the next forward pass.
  public func forward(_ input: UnsafePointer<Float>, batchSize: Int) -> UnsafeMutablePointer<Float>
  {
    precondition(batchSize > 0, "ConvKAN.forward: batchSize must be positive, got \(batchSize)")
    reserve(batchSize: batchSize)
    self.batchSize = batchSize
    lastForwardHadInputGradient = computesInputGradient
    // The first convolution's backward reads its input again.
    self.input.pointer.update(from: input, count: batchSize * widths[0])
    var current = UnsafePointer(self.input.pointer)
    let last = convolutions.count - 1
    for (index, convolution) in convolutions.enumerated() {
      convolution.forward(
        input: current, batchSize: batchSize, height: sizes[index].height,
        width: sizes[index].width, parameters: parameters.storage.pointer,
        buffers: buffers.storage.pointer, cache: convolutionCaches[index],
        output: convolutionOutputs[index].pointer, profile: profile)
      current = UnsafePointer(convolutionOutputs[index].pointer)
      if index < last {
        profile.measure(.elementwise) {
          norms[index].forward(
            input: current, batchSize: batchSize, pixels: pixels(after: index),
            parameters: parameters.storage.pointer, cache: normCaches[index],
            output: normOutputs[index].pointer)
        }
        current = UnsafePointer(normOutputs[index].pointer)
      }
    }
    GlobalAveragePool.forward(
      input: current, batchSize: batchSize, channels: widths[1], pixels: pixels(after: last),
      output: pooled.pointer)
    return pooled.pointer
  }

  /// Pixels per feature map after convolution `index`.
  private func pixels(after index: Int) -> Int {
    sizes[index + 1].height * sizes[index + 1].width
  }

  /// Backpropagates dL/dlogits [batchSize, classes] of the last forward pass; the first
  /// convolution skips its input gradient unless ``computesInputGradient`` was set.
  public func backward(outputGradient: UnsafePointer<Float>) {
    precondition(batchSize > 0, "ConvKAN.backward: call forward first")
    let last = convolutions.count - 1
    if lastForwardHadInputGradient && networkInputGradient.count < capacity * widths[0] {
      networkInputGradient = FloatBuffer(count: capacity * widths[0])
    }
    profile.measure(.elementwise) {
      GlobalAveragePool.backward(
        outputGradient: outputGradient, batchSize: batchSize, channels: widths[1],
        pixels: pixels(after: last), inputGradient: convolutionOutputGradients[last].pointer)
    }
    for index in stride(from: last, through: 0, by: -1) {
      let input = index == 0 ? input.pointer : normOutputs[index - 1].pointer
      let inputGradient =
        index > 0
        ? normOutputGradients[index - 1].pointer
        : (lastForwardHadInputGradient ? networkInputGradient.pointer : nil)
      convolutions[index].backward(
        outputGradient: convolutionOutputGradients[index].pointer, input: input,
        parameters: parameters.storage.pointer, buffers: buffers.storage.pointer,
        gradients: gradients.pointer, cache: convolutionCaches[index],
        inputGradient: inputGradient, profile: profile)
      guard index > 0 else { break }
      profile.measure(.elementwise) {
        norms[index - 1].backward(
          outputGradient: normOutputGradients[index - 1].pointer,
          parameters: parameters.storage.pointer, gradients: gradients.pointer,
          cache: normCaches[index - 1],
          inputGradient: convolutionOutputGradients[index - 1].pointer)
      }
    }
  }

  /// dL/dx [batchSize, C₀·H·W] of the last backward pass when ``computesInputGradient`` was set
  /// for its forward.
  public var inputGradient: UnsafePointer<Float>? {
    lastForwardHadInputGradient ? UnsafePointer(networkInputGradient.pointer) : nil
  }
}
