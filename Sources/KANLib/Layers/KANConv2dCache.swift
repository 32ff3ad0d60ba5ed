/// What one ``KANConv2d`` forward pass keeps for its backward pass, and the scratch of both.
///
/// The layer's input itself is not copied: the network keeps it and passes it to backward.
/// Chunk buffers grow to the largest chunk seen and are then reused: the steady training loop
/// does not allocate.
public final class KANConv2dCache {
  /// Per group: its KANLinear's combined weight, its gradient and a chunk's features.
  let groups: [KANLinearCache]
  /// The batch size, input height and input width of the last forward pass.
  var batchSize = 0
  var height = 0
  var width = 0
  /// One chunk's patches [rows, patch] (forward) and patch gradients (backward).
  var patches = FloatBuffer(count: 0)
  /// One chunk's outputs, or output gradients, [rows, O/groups].
  var rowValues = FloatBuffer(count: 0)
  private let configuration: KANConv2dConfiguration

  /// Creates an empty cache for a layer of `configuration`.
  public init(configuration: KANConv2dConfiguration) {
    self.configuration = configuration
    groups = (0..<configuration.groups).map { _ in
      KANLinearCache(configuration: configuration.groupLayer)
    }
  }

  /// Grows the chunk buffers to `rows` patch rows.
  func reserve(rows: Int) {
    let layer = configuration.groupLayer
    if patches.count < rows * layer.inFeatures {
      patches = FloatBuffer(count: rows * layer.inFeatures)
    }
    if rowValues.count < rows * layer.outFeatures {
      rowValues = FloatBuffer(count: rows * layer.outFeatures)
    }
  }
}
