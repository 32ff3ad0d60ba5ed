/// The shape and hyperparameters of one ``KANLinear`` layer.
///
/// The hyperparameters are a ``KANConfiguration`` (efficient-kan's defaults); its fields read and
/// write through this type directly (`configuration.gridSize`).
@dynamicMemberLookup
public struct KANLinearConfiguration: Sendable, Codable, Equatable, Hashable {
  /// Input width.
  public var inFeatures: Int
  /// Output width.
  public var outFeatures: Int
  /// Grid, spline order, scales, activation and grid range, shared with the rest of the network.
  public var hyperparameters: KANConfiguration

  /// Creates a configuration; `hyperparameters` default to efficient-kan's.
  public init(
    inFeatures: Int, outFeatures: Int, hyperparameters: KANConfiguration = KANConfiguration()
  ) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.hyperparameters = hyperparameters
  }

  /// Reads and writes a hyperparameter (`gridSize`, `splineOrder`, `baseActivation`, …).
  public subscript<Value>(dynamicMember keyPath: WritableKeyPath<KANConfiguration, Value>) -> Value
  {
    get { hyperparameters[keyPath: keyPath] }
    set { hyperparameters[keyPath: keyPath] = newValue }
  }

  /// The number of B-spline bases per input: `gridSize + splineOrder`.
  public var coefficientCount: Int { self.gridSize + self.splineOrder }

  /// The number of knots per input: `gridSize + 2·splineOrder + 1`.
  public var knotCount: Int { self.gridSize + 2 * self.splineOrder + 1 }

  /// The width of one row of the layer's combined feature matrix `[act(x) | B(x)]`.
  public var featureWidth: Int { inFeatures * (1 + coefficientCount) }

  /// The problems that make this configuration unusable, in words (empty when valid).
  public var problems: [String] {
    var found: [String] = []
    if inFeatures < 1 { found.append("in_features must be at least 1, got \(inFeatures)") }
    if outFeatures < 1 { found.append("out_features must be at least 1, got \(outFeatures)") }
    if self.gridSize < 1 { found.append("grid_size must be at least 1, got \(self.gridSize)") }
    if self.splineOrder < 1 {
      found.append("spline_order must be at least 1, got \(self.splineOrder)")
    }
    if !(self.gridLower < self.gridUpper) {
      found.append("grid_range must be increasing, got [\(self.gridLower), \(self.gridUpper)]")
    }
    if !(self.gridEps >= 0 && self.gridEps <= 1) {
      found.append("grid_eps must be in [0, 1], got \(self.gridEps)")
    }
    return found
  }
}
