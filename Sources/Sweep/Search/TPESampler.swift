import Foundation
import KANLib

/// The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio, Kégl 2011), univariate, as
/// Optuna's default sampler uses it: it suggests the next configuration of a `method: bayes`
/// sweep from the results so far.
///
/// Concretely, with n finished configurations sorted best first:
/// ```
/// γ(n) = min(⌈0.1·n⌉, 25) best ones → "below", the rest and every pending one → "above"
/// per parameter, in the space the distribution draws in (log for log_uniform…):
///   l(z) = Parzen mixture of the below values plus the prior, g(z) the same for above
///   Gaussian kernels; bandwidth of each = the larger gap to its sorted neighbours, clipped to
///   [range / min(100, n + 1), range]; prior = N(midpoint, range) (normal distributions: their
///   own N(mu, sigma))
///   draw 24 candidates from l, keep the one maximizing log l(z) − log g(z)
/// categorical: l and g are counts (+ the prior weights, uniform or the file's probabilities)
/// ```
/// The first `startupTrials` configurations are random samples (the file's random search), and
/// pending configurations count as the worst results (a "constant liar"), so workers running at
/// once get different suggestions. Every draw comes from `KANRandom` seeded by the
/// configuration's index and the sweep's name: the same results give the same suggestions.
public struct TPESampler: Sendable {
  /// One configuration tried so far: its parameter values and its objective (nil: pending or
  /// failed).
  public struct Observation: Sendable {
    /// The configuration's values by parameter name.
    public var values: [String: ParameterValue]
    /// Its value of the sweep's metric (mean over seeds), nil when none yet.
    public var objective: Double?

    /// An observation.
    public init(values: [String: ParameterValue], objective: Double?) {
      self.values = values
      self.objective = objective
    }
  }

  /// The sweep.
  public let file: ExperimentFile
  /// Whether larger objectives are better.
  public let goal: MetricGoal
  /// Random configurations before the estimator takes over.
  public var startupTrials = 10
  /// Candidates drawn from l(z) per parameter.
  public var candidates = 24

  /// A sampler for `file`'s parameters.
  public init(file: ExperimentFile, goal: MetricGoal) {
    self.file = file
    self.goal = goal
  }

  /// The parameter values of configuration number `index` given `history` (every earlier
  /// configuration, in order).
  public func suggest(index: Int, history: [Observation]) -> [(String, ParameterValue)] {
    let finished = history.filter { $0.objective != nil }
    guard finished.count >= startupTrials else { return file.randomSample(index) }
    let sorted = finished.sorted { a, b in
      goal.isBetter(a.objective ?? 0, than: b.objective ?? 0)
    }
    let split = min(Int((0.1 * Double(sorted.count)).rounded(.up)), 25)
    let below = Array(sorted.prefix(max(1, split)))
    let above = Array(sorted.dropFirst(max(1, split))) + history.filter { $0.objective == nil }
    var generator = KANRandom(
      seed: UInt64(index), stream: ExperimentFile.stableHash(file.name) ^ 0x5450_4553_414D_504C)
    return file.parameters.map { parameter in
      (parameter.name, suggest(parameter, below: below, above: above, &generator))
    }
  }

  private func suggest(
    _ parameter: SweepParameter, below: [Observation], above: [Observation],
    _ generator: inout KANRandom
  ) -> ParameterValue {
    switch parameter.specification {
    case .fixed(let value): return value
    case .values(let options, let probabilities):
      let prior = probabilities ?? Array(repeating: 1 / Double(options.count), count: options.count)
      func weights(_ group: [Observation]) -> [Double] {
        options.indices.map { index in
          prior[index] + Double(group.filter { $0.values[parameter.name] == options[index] }.count)
        }
      }
      let (l, g) = (weights(below), weights(above))
      let (lTotal, gTotal) = (l.reduce(0, +), g.reduce(0, +))
      var best = 0
      var bestScore = -Double.infinity
      for _ in 0..<candidates {
        var u = generator.nextDouble() * lTotal
        var index = 0
        while index < options.count - 1 && u >= l[index] {
          u -= l[index]
          index += 1
        }
        let score = Foundation.log(l[index] / lTotal) - Foundation.log(g[index] / gTotal)
        if score > bestScore {
          (best, bestScore) = (index, score)
        }
      }
      return options[best]
    case .distribution(let distribution):
      let type = TrainingParameter.named(parameter.name)?.type
      let lower = Parzen(
        points: below.compactMap { Self.underlying($0.values[parameter.name], distribution) },
        distribution: distribution)
      let upper = Parzen(
        points: above.compactMap { Self.underlying($0.values[parameter.name], distribution) },
        distribution: distribution)
      var best: ParameterValue?
      var bestScore = -Double.infinity
      for _ in 0..<candidates {
        let z = lower.sample(&generator)
        let value = ExperimentFile.numericValue(
          distribution.value(underlying: z), integer: distribution.integer)
        guard type?.problem(with: value) == nil else { continue }
        let score = lower.logDensity(z) - upper.logDensity(z)
        if score > bestScore {
          (best, bestScore) = (value, score)
        }
      }
      return best ?? ExperimentFile.draw(parameter, &generator)
    }
  }

  /// A value in the distribution's underlying space (before exp, inversion and rounding).
  static func underlying(_ value: ParameterValue?, _ distribution: Distribution) -> Double? {
    let x: Double
    switch value {
    case .integer(let integer): x = Double(integer)
    case .number(let number): x = number
    default: return nil
    }
    switch distribution.space {
    case .linear: return x
    case .logarithmic: return x > 0 ? Foundation.log(x) : nil
    case .negatedLogarithmic: return x > 0 ? -Foundation.log(x) : nil
    }
  }
}

/// A one-dimensional Parzen estimator: Gaussian kernels at the observations plus a prior kernel,
/// truncated to the distribution's bounds (when it has them).
struct Parzen {
  var means: [Double]
  var sigmas: [Double]
  let bounds: ClosedRange<Double>?

  init(points: [Double], distribution: Distribution) {
    var bounds = distribution.underlyingBounds
    if distribution.kind == .intUniform, let range = bounds {
      bounds = (range.lowerBound - 0.5)...(range.upperBound + 0.5)
    }
    self.bounds = bounds
    let priorMean = bounds.map { ($0.lowerBound + $0.upperBound) / 2 } ?? distribution.mu
    let range = bounds.map { $0.upperBound - $0.lowerBound } ?? 6 * distribution.sigma
    let priorSigma = bounds == nil ? distribution.sigma : range
    let sorted = points.sorted()
    let minimum = range / min(100, Double(points.count + 1))
    means = sorted
    sigmas = sorted.indices.map { index in
      let left =
        index > 0
        ? sorted[index] - sorted[index - 1]
        : sorted[index] - (bounds?.lowerBound ?? sorted[index] - range)
      let right =
        index + 1 < sorted.count
        ? sorted[index + 1] - sorted[index]
        : (bounds?.upperBound ?? sorted[index] + range) - sorted[index]
      return Swift.min(Swift.max(left, right, minimum), range)
    }
    means.append(priorMean)
    sigmas.append(priorSigma)
  }

  /// Log of the mixture density at `z` (equal weights; truncation ignored, as for both l and g).
  func logDensity(_ z: Double) -> Double {
    var total = 0.0
    for (mean, sigma) in zip(means, sigmas) {
      let t = (z - mean) / sigma
      total += Foundation.exp(-0.5 * t * t) / (sigma * (2 * Double.pi).squareRoot())
    }
    return Foundation.log(max(total / Double(means.count), 1e-300))
  }

  /// One draw: a kernel chosen uniformly, a Gaussian from it, redrawn into the bounds.
  func sample(_ generator: inout KANRandom) -> Double {
    for _ in 0..<100 {
      let index = generator.below(means.count)
      let u1 = 1 - generator.nextDouble()
      let u2 = generator.nextDouble()
      let z =
        means[index] + sigmas[index] * (-2 * Foundation.log(u1)).squareRoot()
        * Foundation.cos(2 * .pi * u2)
      if bounds?.contains(z) ?? true { return z }
    }
    return bounds.map { ($0.lowerBound + $0.upperBound) / 2 } ?? means[means.count - 1]
  }
}
