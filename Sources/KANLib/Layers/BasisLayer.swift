/// A layer of a ``BasisKAN``: the input expanded in a basis, then one product with the weights.
///
/// Its tensors live in the network's arenas; what backward needs is kept in its `Cache`,
/// allocated once for the largest batch.
public protocol BasisLayer: Sendable {
  /// What forward keeps for backward.
  associatedtype Cache: AnyObject

  /// Input width.
  var inFeatures: Int { get }
  /// Output width.
  var outFeatures: Int { get }

  /// A cache for batches of up to `capacity` rows.
  func makeCache(capacity: Int) -> Cache

  /// Draws the initial parameters and writes the buffers.
  func initialize(
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
    generator: inout KANRandom)

  /// y [batchSize, out] from x [batchSize, in], keeping what backward needs in `cache`.
  func forward(
    input: UnsafePointer<Float>, batchSize: Int, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>, cache: Cache, output: UnsafeMutablePointer<Float>)

  /// Accumulates parameter gradients from dL/dy of the last forward; writes dL/dx when
  /// `inputGradient` is given.
  func backward(
    outputGradient: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
    buffers: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, cache: Cache,
    inputGradient: UnsafeMutablePointer<Float>?)
}
