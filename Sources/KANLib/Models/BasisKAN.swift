/// A KAN whose edges use another basis than efficient-kan's B-splines: a stack of
/// ``BasisLayer``s (``FastKANLayer`` for Gaussian RBFs, ``ChebyKANLayer`` for Chebyshev
/// polynomials) of the given widths.
///
/// Concretely, for widths [w₀, …, w_L] layer l maps [batch, w_l] → [batch, w_{l+1}], with no
/// activation between layers (each layer is already non-linear), as FastKAN's and ChebyKAN's
/// own stacks do. Tensor names are each layer's, under `layers.l`.
public final class BasisKAN<Layer: BasisLayer>: Network {
  /// Layer widths, input first.
  public let widths: [Int]
  /// The layers, first to last.
  public let layers: [Layer]
  /// Trainable tensors.
  public let parameters: TensorArena
  /// Gradients of `parameters`.
  public let gradients: FloatBuffer
  /// Non-trainable tensors (the RBF centres).
  public let buffers: TensorArena
  /// Whether backward also computes dL/dx of the network input.
  public var computesInputGradient = false

  private var caches: [Layer.Cache] = []
  private var outputs: [FloatBuffer] = []
  private var layerInputGradients: [FloatBuffer] = []
  private var capacity = 0
  private var batchSize = 0
  private var lastForwardHadInputGradient = false

  /// Creates a network with zeroed parameters; `makeLayer(index, in, out, &parameters,
  /// &buffers)` declares layer `index`'s tensors.
  public init(
    widths: [Int],
    _ makeLayer: (Int, Int, Int, inout TensorLayout, inout TensorLayout) -> Layer
  ) {
    validateWidths(widths, network: "BasisKAN")
    self.widths = widths
    var parameterLayout = TensorLayout()
    var bufferLayout = TensorLayout()
    layers = (0..<(widths.count - 1)).map { index in
      makeLayer(index, widths[index], widths[index + 1], &parameterLayout, &bufferLayout)
    }
    parameters = TensorArena(layout: parameterLayout)
    gradients = FloatBuffer(count: parameterLayout.count)
    buffers = TensorArena(layout: bufferLayout)
  }

  /// A network of the same layers reading `source`'s arenas, with its own gradients and caches
  /// (see ``Network/makeShard()``).
  init(sharing source: BasisKAN<Layer>) {
    widths = source.widths
    layers = source.layers
    parameters = source.parameters
    buffers = source.buffers
    gradients = FloatBuffer(count: source.gradients.count)
  }

  /// A shard sharing this network's parameters and buffers; see ``Network/makeShard()``.
  public func makeShard() -> Network { BasisKAN(sharing: self) }

  /// Draws every layer's parameters from `generator`, first layer first.
  public func initialize(generator: inout KANRandom) {
    for layer in layers {
      layer.initialize(
        parameters: parameters.storage.pointer, buffers: buffers.storage.pointer,
        generator: &generator)
    }
  }

  private func reserve(batchSize: Int) {
    guard batchSize > capacity else { return }
    caches = layers.map { $0.makeCache(capacity: batchSize) }
    outputs = layers.map { FloatBuffer(count: batchSize * $0.outFeatures) }
    layerInputGradients = layers.map { FloatBuffer(count: batchSize * $0.inFeatures) }
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
        buffers: buffers.storage.pointer, cache: caches[index], output: outputs[index].pointer)
      current = UnsafePointer(outputs[index].pointer)
    }
    return outputs[layers.count - 1].pointer
  }

  /// Backpropagates; see ``Network/backward(outputGradient:)``.
  public func backward(outputGradient: UnsafePointer<Float>) {
    precondition(batchSize > 0, "BasisKAN.backward: call forward first")
    var upstream = outputGradient
    for index in stride(from: layers.count - 1, through: 0, by: -1) {
      let wantsInput = index > 0 || lastForwardHadInputGradient
      layers[index].backward(
        outputGradient: upstream, parameters: parameters.storage.pointer,
        buffers: buffers.storage.pointer, gradients: gradients.pointer, cache: caches[index],
        inputGradient: wantsInput ? layerInputGradients[index].pointer : nil)
      upstream = UnsafePointer(layerInputGradients[index].pointer)
    }
  }

  /// dL/dx of the last backward pass when ``computesInputGradient`` was set for its forward.
  public var inputGradient: UnsafePointer<Float>? {
    lastForwardHadInputGradient && !layerInputGradients.isEmpty
      ? UnsafePointer(layerInputGradients[0].pointer) : nil
  }
}
