/// The hyperparameters of one ``KANLinear`` layer, with efficient-kan's defaults.
public struct KANLinearConfiguration: Sendable, Codable, Equatable, Hashable {
  /// Input width.
  public var inFeatures: Int
  /// Output width.
  public var outFeatures: Int
  /// G: the number of grid intervals inside `gridRange`.
  public var gridSize: Int = 5
  /// k: the B-spline degree (1 = piecewise linear, 3 = cubic).
  public var splineOrder: Int = 3
  /// Amplitude of the noise the spline weights are fitted to at initialization.
  public var scaleNoise: Float = 0.1
  /// Scale of the kaiming-uniform initialization of `baseWeight`.
  public var scaleBase: Float = 1
  /// Scale of the spline branch (the scaler's initialization, or a factor on `splineWeight`
  /// when the standalone scaler is off).
  public var scaleSpline: Float = 1
  /// Whether the layer has the trainable `splineScaler` [out, in].
  public var standaloneScaler = true
  /// The activation of the base branch.
  public var baseActivation: BaseActivation = .silu
  /// The weight of the uniform grid when `updateGrid` mixes it with the data's quantiles.
  public var gridEps: Float = 0.02
  /// Lower end of the initial grid.
  public var gridLower: Float = -1
  /// Upper end of the initial grid.
  public var gridUpper: Float = 1

  /// Creates a configuration; unspecified values are efficient-kan's defaults.
  public init(inFeatures: Int, outFeatures: Int) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
  }

  /// The number of B-spline bases per input: `gridSize + splineOrder`.
  public var coefficientCount: Int { gridSize + splineOrder }

  /// The number of knots per input: `gridSize + 2·splineOrder + 1`.
  public var knotCount: Int { gridSize + 2 * splineOrder + 1 }

  /// The width of one row of the layer's combined feature matrix `[act(x) | B(x)]`.
  public var featureWidth: Int { inFeatures * (1 + coefficientCount) }

  /// The problems that make this configuration unusable, in words (empty when valid).
  public var problems: [String] {
    var found: [String] = []
    if inFeatures < 1 { found.append("in_features must be at least 1, got \(inFeatures)") }
    if outFeatures < 1 { found.append("out_features must be at least 1, got \(outFeatures)") }
    if gridSize < 1 { found.append("grid_size must be at least 1, got \(gridSize)") }
    if splineOrder < 1 { found.append("spline_order must be at least 1, got \(splineOrder)") }
    if !(gridLower < gridUpper) {
      found.append("grid_range must be increasing, got [\(gridLower), \(gridUpper)]")
    }
    if !(gridEps >= 0 && gridEps <= 1) {
      found.append("grid_eps must be in [0, 1], got \(gridEps)")
    }
    return found
  }
}
