/// A trainable network: a stack of layers whose parameters live in one arena.
///
/// Forward and backward come in pairs: ``forward(_:batchSize:)`` caches what
/// ``backward(outputGradient:)`` needs; backward accumulates into ``gradients``.
public protocol Network: AnyObject {
  /// Layer widths, input first (e.g. [784, 64, 10]).
  var widths: [Int] { get }
  /// Every trainable tensor, named as efficient-kan's / PyTorch's `state_dict`.
  var parameters: TensorArena { get }
  /// Gradients, in the layout of `parameters`.
  var gradients: FloatBuffer { get }
  /// Non-trainable tensors (the KAN grids), named as in the `state_dict`.
  var buffers: TensorArena { get }
  /// Whether ``backward(outputGradient:)`` also computes ``inputGradient`` (off for training).
  var computesInputGradient: Bool { get set }

  /// Runs the network on x [batchSize, widths.first] and returns y [batchSize, widths.last],
  /// valid until the next forward pass.
  func forward(_ input: UnsafePointer<Float>, batchSize: Int) -> UnsafeMutablePointer<Float>

  /// Backpropagates dL/dy [batchSize, widths.last] of the last forward pass, accumulating
  /// parameter gradients.
  func backward(outputGradient: UnsafePointer<Float>)

  /// dL/dx [batchSize, widths.first] of the last backward pass, if ``computesInputGradient``.
  var inputGradient: UnsafePointer<Float>? { get }

  /// Sets every gradient to zero (before a backward pass that accumulates into them).
  func zeroGradients()

  /// Rows per evaluation forward pass (fixed, so evaluation is reproducible).
  var evaluationBatchSize: Int { get }

  /// A network of the same shape that reads this one's ``parameters`` and ``buffers`` (the same
  /// arenas, not copies) but has its own ``gradients`` and forward/backward caches: a shard of
  /// a batch runs on it, on another thread if wanted, while the optimizer updates the shared
  /// parameters between steps.
  func makeShard() -> Network
}

extension Network {
  /// The input width.
  public var inputWidth: Int { widths[0] }
  /// The output width.
  public var outputWidth: Int { widths[widths.count - 1] }
  /// Rows per evaluation pass: ``Trainer/evaluationBatchSize`` unless a network needs fewer.
  public var evaluationBatchSize: Int { Trainer.evaluationBatchSize }
  /// The number of trainable scalars.
  public var parameterCount: Int { parameters.count }

  /// Sets every gradient to zero (the default: clear the buffer now).
  public func zeroGradients() {
    gradients.fill(0)
  }

  /// All tensors (parameters, then buffers) by name, e.g. for a checkpoint.
  public var stateDictionary: [(entry: TensorEntry, values: [Float])] {
    parameters.entries.map { ($0, parameters.values(of: $0)) }
      + buffers.entries.map { ($0, buffers.values(of: $0)) }
  }
}

/// Checks a list of layer widths.
func validateWidths(_ widths: [Int], network: String) {
  precondition(
    widths.count >= 2 && widths.allSatisfy { $0 > 0 },
    "\(network): widths need at least two positive entries, got \(widths)")
}
