/// What one ``KANLinear`` forward pass keeps for its backward pass, and the backward's scratch.
///
/// Buffers grow to the largest batch seen and are then reused: the steady training loop does
/// not allocate.
public final class KANLinearCache {
  /// The batch size the buffers can hold.
  public private(set) var capacity = 0
  /// The batch size of the last forward pass.
  public internal(set) var batchSize = 0
  /// x [batch, in] of the last forward pass.
  var input = FloatBuffer(count: 0)
  /// [act(x) | B(x)] [batch, in·(1 + G + k)].
  var features = FloatBuffer(count: 0)
  /// Index of the first possibly non-zero basis per input, or `Int32.min` outside the grid
  /// [batch, in].
  var firstBasis: [Int32] = []
  /// dN/dx of the k + 1 possibly non-zero bases [batch, in, k + 1].
  var basisDerivatives = FloatBuffer(count: 0)
  /// Whether `basisDerivatives` was filled by the last forward pass.
  var hasDerivatives = false
  /// [baseWeight | splineWeight ⊙ splineScaler] [out, in·(1 + G + k)] used by the forward pass.
  let combinedWeight: FloatBuffer
  /// Gradient of the combined weight [out, in·(1 + G + k)].
  let combinedWeightGradient: FloatBuffer
  /// Per input: 1 / knot spacing when its knots are uniform, else 0.
  let inverseSpacing: FloatBuffer
  /// Per input: its first knot.
  let knotStart: FloatBuffer
  /// Per input: its last knot.
  let knotEnd: FloatBuffer
  /// Gradient of the features [batch, in·(1 + G + k)].
  var featureGradient = FloatBuffer(count: 0)
  private let configuration: KANLinearConfiguration
  /// Floats past the end of `features` and `basisDerivatives` (see ``reserve(batchSize:)``).
  static let padding = KANLinear.vectorSpill

  /// Whether forward uses ``combinedWeight`` as it is (built beforehand, see
  /// ``KAN/prepareCombinedWeights(parts:)``) instead of building it from the parameters.
  var usesPreparedWeight = false

  /// Creates an empty cache for a layer of `configuration`; a shard's cache reads its
  /// `combinedWeight` from the first network's (shared, not copied).
  public init(configuration: KANLinearConfiguration, combinedWeight: FloatBuffer? = nil) {
    self.configuration = configuration
    self.combinedWeight =
      combinedWeight
      ?? FloatBuffer(count: configuration.outFeatures * configuration.featureWidth)
    combinedWeightGradient = FloatBuffer(
      count: configuration.outFeatures * configuration.featureWidth)
    inverseSpacing = FloatBuffer(count: configuration.inFeatures)
    knotStart = FloatBuffer(count: configuration.inFeatures)
    knotEnd = FloatBuffer(count: configuration.inFeatures)
  }

  /// Grows the buffers to hold `batchSize` rows.
  func reserve(batchSize: Int) {
    guard batchSize > capacity else { return }
    let c = configuration
    input = FloatBuffer(count: batchSize * c.inFeatures)
    // The SIMD basis kernel may write past a block it fills (later blocks overwrite it); the
    // padding keeps the last block's spill inside the buffer.
    features = FloatBuffer(count: batchSize * c.featureWidth + Self.padding)
    firstBasis = [Int32](repeating: 0, count: batchSize * c.inFeatures)
    capacity = batchSize
  }

  /// Grows the buffers only an input gradient needs (never allocated for a first layer).
  func reserveInputGradient(batchSize: Int) {
    let c = configuration
    guard basisDerivatives.count < batchSize * c.inFeatures * (c.splineOrder + 1) + Self.padding
    else { return }
    basisDerivatives = FloatBuffer(
      count: capacity * c.inFeatures * (c.splineOrder + 1) + Self.padding)
    featureGradient = FloatBuffer(count: capacity * c.featureWidth)
  }
}
