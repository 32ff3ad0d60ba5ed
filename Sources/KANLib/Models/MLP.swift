/// The multilayer-perceptron baseline: ``Linear`` layers of the given widths with an activation
/// between them (none after the last).
///
/// Concretely, for widths [w₀, …, w_L]: h₀ = x, z_l = h_l·W_lᵀ + b_l, h_{l+1} = act(z_l) for
/// l < L − 1, y = z_{L−1}. Tensors are `layers.l.weight` and `layers.l.bias`, as a PyTorch
/// `nn.ModuleList` of `nn.Linear` would name them.
public final class MLP: Network {
  /// Layer widths, input first.
  public let widths: [Int]
  /// The hidden activation.
  public let activation: BaseActivation
  /// The layers.
  public let layers: [Linear]
  /// Trainable tensors.
  public let parameters: TensorArena
  /// Gradients of `parameters`.
  public let gradients: FloatBuffer
  /// No buffers: an MLP has no grid.
  public let buffers = TensorArena(layout: TensorLayout())
  /// Whether backward also computes dL/dx of the network input.
  public var computesInputGradient = false

  private var preActivations: [FloatBuffer] = []
  private var activations: [FloatBuffer] = []
  private var layerGradients: [FloatBuffer] = []
  private var firstInput = FloatBuffer(count: 0)
  private var capacity = 0
  private var batchSize = 0
  private var lastForwardHadInputGradient = false

  /// Creates a network with zeroed parameters.
  public init(widths: [Int], activation: BaseActivation = .relu) {
    validateWidths(widths, network: "MLP")
    self.widths = widths
    self.activation = activation
    var layout = TensorLayout()
    var layers: [Linear] = []
    for index in 0..<(widths.count - 1) {
      layers.append(
        Linear(
          inFeatures: widths[index], outFeatures: widths[index + 1], prefix: "layers.\(index)",
          parameters: &layout))
    }
    self.layers = layers
    parameters = TensorArena(layout: layout)
    gradients = FloatBuffer(count: layout.count)
  }

  /// A network of the same layers reading `source`'s parameter arena, with its own gradients and
  /// caches (see ``Network/makeShard()``).
  init(sharing source: MLP) {
    widths = source.widths
    activation = source.activation
    layers = source.layers
    parameters = source.parameters
    gradients = FloatBuffer(count: source.gradients.count)
  }

  /// A shard sharing this network's parameters; see ``Network/makeShard()``.
  public func makeShard() -> Network { MLP(sharing: self) }

  /// Creates and initializes a network from `generator`, layer by layer.
  public convenience init(
    widths: [Int], activation: BaseActivation = .relu, generator: inout KANRandom
  ) {
    self.init(widths: widths, activation: activation)
    for layer in layers {
      layer.initialize(parameters: parameters.storage.pointer, generator: &generator)
    }
  }

  private func reserve(batchSize: Int) {
    guard batchSize > capacity else { return }
    firstInput = FloatBuffer(count: batchSize * widths[0])
    preActivations = layers.map { FloatBuffer(count: batchSize * $0.outFeatures) }
    activations = layers.map { FloatBuffer(count: batchSize * $0.outFeatures) }
    layerGradients = layers.map { FloatBuffer(count: batchSize * $0.inFeatures) }
    capacity = batchSize
  }

  /// Runs the network; see ``Network/forward(_:batchSize:)``.
  public func forward(_ input: UnsafePointer<Float>, batchSize: Int) -> UnsafeMutablePointer<Float>
  {
    reserve(batchSize: batchSize)
    self.batchSize = batchSize
    lastForwardHadInputGradient = computesInputGradient
    firstInput.pointer.update(from: input, count: batchSize * widths[0])
    var current = UnsafePointer(firstInput.pointer)
    for (index, layer) in layers.enumerated() {
      let z = preActivations[index].pointer
      layer.forward(
        input: current, batchSize: batchSize, parameters: parameters.storage.pointer, output: z)
      if index == layers.count - 1 { return z }
      let h = activations[index].pointer
      for element in 0..<(batchSize * layer.outFeatures) {
        h[element] = activation.value(z[element])
      }
      current = UnsafePointer(h)
    }
    return preActivations[layers.count - 1].pointer
  }

  /// Backpropagates; see ``Network/backward(outputGradient:)``.
  public func backward(outputGradient: UnsafePointer<Float>) {
    precondition(batchSize > 0, "MLP.backward: call forward first")
    var upstream = outputGradient
    for index in stride(from: layers.count - 1, through: 0, by: -1) {
      let layer = layers[index]
      let input =
        index == 0
        ? UnsafePointer(firstInput.pointer) : UnsafePointer(activations[index - 1].pointer)
      let wantsInput = index > 0 || lastForwardHadInputGradient
      let target = layerGradients[index].pointer
      layer.backward(
        outputGradient: upstream, input: input, batchSize: batchSize,
        parameters: parameters.storage.pointer, gradients: gradients.pointer,
        inputGradient: wantsInput ? target : nil)
      if index > 0 {
        // Through the activation of the previous layer's output.
        let z = preActivations[index - 1].pointer
        for element in 0..<(batchSize * layer.inFeatures) {
          target[element] *= activation.derivative(z[element])
        }
      }
      upstream = UnsafePointer(target)
    }
  }

  /// dL/dx of the last backward pass when ``computesInputGradient`` was set for its forward.
  public var inputGradient: UnsafePointer<Float>? {
    lastForwardHadInputGradient && !layerGradients.isEmpty
      ? UnsafePointer(layerGradients[0].pointer) : nil
  }
}
