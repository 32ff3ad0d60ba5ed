import KANLib

/// How one parameter varies in a sweep.
public enum ParameterSpecification: Sendable, Hashable {
  /// The same value in every trial (`{value: X}`).
  case fixed(ParameterValue)
  /// A grid axis, or a categorical choice for `method: random` (`{values: [...]}`).
  case values([ParameterValue])
  /// A number drawn uniformly from [min, max] (`distribution: uniform`).
  case uniform(min: Double, max: Double)
  /// An integer drawn uniformly from min...max (`distribution: int_uniform`).
  case integerUniform(min: Int, max: Int)
  /// A number whose logarithm is uniform in [log min, log max] (`distribution: log_uniform_values`).
  case logUniform(min: Double, max: Double)

  /// The values a grid visits (nil for distributions).
  public var gridValues: [ParameterValue]? {
    switch self {
    case .fixed(let value): return [value]
    case .values(let values): return values
    case .uniform, .integerUniform, .logUniform: return nil
    }
  }
}

/// A named parameter specification, in file order.
public struct SweepParameter: Sendable, Hashable {
  /// The snake_case name.
  public let name: String
  /// How it varies.
  public let specification: ParameterSpecification
}
