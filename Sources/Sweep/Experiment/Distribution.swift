import Foundation
import KANLib

/// A W&B sampling distribution of one numeric parameter.
///
/// Concretely, with U = uniform on [a, b] and N = normal(mu, sigma) (mu 0, sigma 1 by default),
/// and q-rounding `round(x / q)·q` (q = 1 by default, and always for integer parameters):
/// ```
/// uniform              U(min, max)             q_uniform              q-round(U(min, max))
/// int_uniform          integers min…max
/// log_uniform          exp(U(min, max))        q_log_uniform          q-round(exp(U(min, max)))
/// log_uniform_values   exp(U(ln min, ln max))  q_log_uniform_values   q-round(exp(U(ln min, ln max)))
/// inv_log_uniform      exp(−U(min, max))       inv_log_uniform_values exp(−U(ln 1/max, ln 1/min))
/// normal               N                       q_normal               q-round(N)
/// log_normal           exp(N)                  q_log_normal           q-round(exp(N))
/// ```
/// (docs.wandb.ai, sweep configuration options). Every draw is then checked against the
/// parameter's range; a draw outside it is redrawn (up to 100 times) so a trial never gets a
/// value the parameter refuses.
public struct Distribution: Sendable, Hashable {
  /// The W&B distribution names.
  public enum Kind: String, Sendable, CaseIterable {
    case uniform, intUniform = "int_uniform", qUniform = "q_uniform"
    case logUniform = "log_uniform", logUniformValues = "log_uniform_values"
    case qLogUniform = "q_log_uniform", qLogUniformValues = "q_log_uniform_values"
    case invLogUniform = "inv_log_uniform", invLogUniformValues = "inv_log_uniform_values"
    case normal, qNormal = "q_normal", logNormal = "log_normal", qLogNormal = "q_log_normal"

    /// Whether the distribution takes `mu`/`sigma` rather than `min`/`max`.
    public var isNormal: Bool { [.normal, .qNormal, .logNormal, .qLogNormal].contains(self) }
    /// Whether it takes `q`.
    public var isQuantized: Bool {
      [.qUniform, .qLogUniform, .qLogUniformValues, .qNormal, .qLogNormal].contains(self)
    }
  }

  /// Which distribution.
  public let kind: Kind
  /// Bounds of the uniform variable (min/max distributions).
  public let min: Double
  /// Upper bound.
  public let max: Double
  /// Mean and standard deviation of the normal variable (normal distributions).
  public let mu: Double
  /// Standard deviation.
  public let sigma: Double
  /// Rounding step (1 for integer parameters).
  public let q: Double?
  /// Whether the parameter takes integers.
  public let integer: Bool

  /// The space a search works in: the uniform or normal variable before `exp`, inversion and
  /// rounding (TPE models the parameter there).
  public enum Space: Sendable { case linear, logarithmic, negatedLogarithmic }

  /// How the underlying variable maps to the value.
  public var space: Space {
    switch kind {
    case .uniform, .intUniform, .qUniform, .normal, .qNormal: return .linear
    case .logUniform, .logUniformValues, .qLogUniform, .qLogUniformValues, .logNormal, .qLogNormal:
      return .logarithmic
    case .invLogUniform, .invLogUniformValues: return .negatedLogarithmic
    }
  }

  /// Bounds of the underlying uniform variable (nil for normal distributions).
  public var underlyingBounds: ClosedRange<Double>? {
    switch kind {
    case .uniform, .intUniform, .qUniform, .logUniform, .qLogUniform, .invLogUniform:
      return min...max
    case .logUniformValues, .qLogUniformValues: return Foundation.log(min)...Foundation.log(max)
    case .invLogUniformValues: return Foundation.log(1 / max)...Foundation.log(1 / min)
    case .normal, .qNormal, .logNormal, .qLogNormal: return nil
    }
  }

  /// The value for underlying variable `u` (rounded as the distribution and parameter ask).
  public func value(underlying u: Double) -> Double {
    var x: Double
    switch space {
    case .linear: x = u
    case .logarithmic: x = Foundation.exp(u)
    case .negatedLogarithmic: x = Foundation.exp(-u)
    }
    if let q = q ?? (integer || kind == .intUniform ? 1 : nil), q > 0 {
      x = (x / q).rounded() * q
    }
    return x
  }

  /// One draw of the underlying variable.
  func drawUnderlying(_ generator: inout KANRandom) -> Double {
    if let bounds = underlyingBounds {
      if kind == .intUniform {
        return Double(
          Int(bounds.lowerBound) + generator.below(Int(bounds.upperBound - bounds.lowerBound) + 1))
      }
      return bounds.lowerBound + (bounds.upperBound - bounds.lowerBound) * generator.nextDouble()
    }
    // Box–Muller from two uniforms in (0, 1].
    let u1 = 1 - generator.nextDouble()
    let u2 = generator.nextDouble()
    return mu + sigma * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2)
  }

  /// One value drawn from the distribution.
  public func draw(_ generator: inout KANRandom) -> Double {
    value(underlying: drawUnderlying(&generator))
  }
}
