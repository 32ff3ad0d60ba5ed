import KANLib

/// How one parameter varies in a sweep.
public enum ParameterSpecification: Sendable, Hashable {
  /// The same value in every trial (`{value: X}`, `distribution: constant`).
  case fixed(ParameterValue)
  /// A grid axis, or a categorical choice for random and bayes search, optionally weighted
  /// (`{values: [...], probabilities: [...]}`, `distribution: categorical`). Values may repeat.
  case values([ParameterValue], probabilities: [Double]?)
  /// A number drawn from a distribution (random and bayes search).
  case distribution(Distribution)

  /// The values a grid visits (nil for distributions).
  public var gridValues: [ParameterValue]? {
    switch self {
    case .fixed(let value): return [value]
    case .values(let values, _): return values
    case .distribution: return nil
    }
  }
}

/// A named parameter specification, in file order.
public struct SweepParameter: Sendable, Hashable {
  /// The snake_case name (a registry parameter).
  public let name: String
  /// How it varies.
  public let specification: ParameterSpecification
  /// The parameter's name as the file spelled it (`optimizer.learning_rate` for a nested one).
  public let spelling: String

  init(name: String, specification: ParameterSpecification, spelling: String? = nil) {
    self.name = name
    self.specification = specification
    self.spelling = spelling ?? name
  }
}
