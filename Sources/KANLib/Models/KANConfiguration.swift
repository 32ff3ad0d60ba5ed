/// The hyperparameters shared by every layer of a ``KAN`` (efficient-kan's `KAN(...)` arguments).
public struct KANConfiguration: Sendable, Codable, Equatable, Hashable {
  /// G: grid intervals inside the grid range.
  public var gridSize: Int = 5
  /// k: B-spline degree.
  public var splineOrder: Int = 3
  /// Noise amplitude for the spline initialization.
  public var scaleNoise: Float = 0.1
  /// Base-branch initialization scale.
  public var scaleBase: Float = 1
  /// Spline-branch initialization scale.
  public var scaleSpline: Float = 1
  /// Whether each layer has a trainable `splineScaler`.
  public var standaloneScaler = true
  /// Base-branch activation.
  public var baseActivation: BaseActivation = .silu
  /// Uniform-grid weight in grid updates.
  public var gridEps: Float = 0.02
  /// Lower end of the initial grid.
  public var gridLower: Float = -1
  /// Upper end of the initial grid.
  public var gridUpper: Float = 1

  /// Creates efficient-kan's default configuration.
  public init() {}

  /// The configuration of the layer from `inFeatures` to `outFeatures`.
  public func layer(inFeatures: Int, outFeatures: Int) -> KANLinearConfiguration {
    KANLinearConfiguration(inFeatures: inFeatures, outFeatures: outFeatures, hyperparameters: self)
  }
}
