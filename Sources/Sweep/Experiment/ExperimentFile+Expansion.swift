import Crypto
import Foundation
import KANLib

/// One trial an experiment file asks for: a resolved configuration including its seed.
public struct PlannedTrial: Sendable, Hashable {
  /// The full configuration, seed included.
  public let configuration: TrainingConfiguration
  /// SHA-256 (hex) of the configuration's canonical JSON: the trial's identity.
  public let identity: String
  /// The values of the file's parameters for this trial, in file order.
  public let values: [String: ParameterValue]

  /// The trial's configuration, canonical JSON and identity; fails when the configuration
  /// cannot be used.
  init(configuration: TrainingConfiguration, values: [String: ParameterValue])
    throws(ConfigurationError)
  {
    self.configuration = configuration
    self.values = values
    canonicalJSON = try configuration.canonicalJSON()
    identity = Self.identity(ofCanonicalJSON: canonicalJSON)
  }

  /// The canonical JSON of the configuration (what the store keeps).
  public let canonicalJSON: String

  /// The identity of a configuration: SHA-256 of its canonical JSON.
  public static func identity(of configuration: TrainingConfiguration) throws(ConfigurationError)
    -> String
  {
    identity(ofCanonicalJSON: try configuration.canonicalJSON())
  }

  static func identity(ofCanonicalJSON json: String) -> String {
    Checkpoint.sha256Hex(Array(json.utf8))
  }
}

extension ExperimentFile {
  /// The most trials one sweep file may plan: validation and expansion stay bounded in time and
  /// memory (about 1.5 KB per planned trial).
  public static let maximumTrials = 100_000

  /// The number of configurations (before seeds): the grid's size, or `run_cap` samples (0 for
  /// open-ended sweeps); `Int.max` when the grid's product overflows.
  public var plannedConfigurationCount: Int {
    switch method {
    case .grid:
      var product = 1
      for parameter in parameters {
        let (next, overflow) = product.multipliedReportingOverflow(
          by: parameter.specification.gridValues?.count ?? 1)
        if overflow { return .max }
        product = next
      }
      return product
    case .random, .bayes: return runCap ?? 0
    }
  }

  /// Configurations × seeds, before MLP duplicates are dropped; `Int.max` on overflow. Computed
  /// without expanding anything.
  public var plannedTrialUpperBound: Int {
    let (product, overflow) = plannedConfigurationCount.multipliedReportingOverflow(
      by: seeds.count)
    return overflow ? .max : product
  }

  /// Whether the sweep's trials are made while it runs (bayes, and random without `run_cap`)
  /// rather than planned from the file.
  public var isOpenEnded: Bool { method == .bayes || (method == .random && runCap == nil) }

  /// Every trial the file plans, deterministically ordered: configurations in grid order (the
  /// last parameter varies fastest) or sample order, each once per seed. MLP trials ignore the
  /// KAN-only parameters (grid size, spline order, …), so a grid crossing `model: [kan, mlp]`
  /// with KAN parameters yields each MLP configuration once. Empty for open-ended sweeps (see
  /// ``isOpenEnded``), whose trials the scheduler makes one by one.
  public func plannedTrials() throws(ExperimentError) -> [PlannedTrial] {
    var assignments: [[(String, ParameterValue)]] = []
    switch method {
    case .grid:
      assignments = [[]]
      for parameter in parameters {
        let options = parameter.specification.gridValues ?? []
        assignments = assignments.flatMap { prefix in
          options.map { prefix + [(parameter.name, $0)] }
        }
      }
    case .random:
      assignments = (0..<(runCap ?? 0)).map(randomSample)
    case .bayes:
      return []
    }
    var trials: [PlannedTrial] = []
    var seen: Set<String> = []
    for assignment in assignments {
      for trial in try self.trials(assignment) where seen.insert(trial.identity).inserted {
        trials.append(trial)
      }
    }
    return trials
  }

  /// The configuration a sweep's parameters start from: `sweep train`'s defaults, but holding
  /// out ``defaultValidationFraction`` of the training split, so sweeps choose on validation
  /// metrics, not on the test set.
  public static var sweepDefaults: TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.validationFraction = defaultValidationFraction
    return configuration
  }

  /// The validation fraction of sweep trials unless the file sets `validation_fraction`.
  public static let defaultValidationFraction: Float = 0.1

  /// Random sample `index`: each parameter, in file order, drawn from
  /// `KANRandom(seed: index, stream: FNV-1a(name))`, so raising `run_cap` keeps earlier samples.
  public func randomSample(_ index: Int) -> [(String, ParameterValue)] {
    var generator = KANRandom(seed: UInt64(index), stream: Self.stableHash(name))
    return parameters.map { ($0.name, Self.draw($0, &generator)) }
  }

  /// The trials (one per seed) of one assignment of parameter values.
  public func trials(_ assignment: [(String, ParameterValue)]) throws(ExperimentError)
    -> [PlannedTrial]
  {
    var trials: [PlannedTrial] = []
    for seed in seeds {
      var configuration = Self.sweepDefaults
      var problems: [String] = []
      for (name, value) in assignment {
        guard let parameter = TrainingParameter.named(name) else { continue }
        if let problem = parameter.assign(value, to: &configuration) {
          problems.append("\(name) \(problem)")
        }
      }
      configuration.seed = seed
      var values = Dictionary(assignment) { first, _ in first }
      // A model ignores the parameters it does not use (``TrainingConfiguration/uses(parameter:)``):
      // they take their defaults, so crossing models runs each configuration once; a KAN
      // ignores `match`.
      let unused = TrainingParameter.all.filter { !configuration.uses(parameter: $0.name) }
      for parameter in unused {
        parameter.reset(&configuration)
        values[parameter.name] = nil
      }
      if configuration.model == .kan && configuration.match != .none {
        configuration.match = .none
        values["match"] = nil
      }
      func refuse(_ detail: String) -> ExperimentError {
        let description = assignment.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        return ExperimentError(
          file: path, line: nil, column: nil, keyPath: "parameters",
          message: "the trial \(description) seed \(seed) cannot run: \(detail)")
      }
      guard problems.isEmpty else { throw refuse(problems.joined(separator: "; ")) }
      do {
        trials.append(try PlannedTrial(configuration: configuration, values: values))
      } catch {
        throw refuse(error.description)
      }
    }
    return trials
  }

  /// One random value of `parameter`. Weighted choices follow their probabilities; draws of a
  /// distribution that fall outside the parameter's range (unbounded normals) are redrawn.
  static func draw(_ parameter: SweepParameter, _ generator: inout KANRandom) -> ParameterValue {
    switch parameter.specification {
    case .fixed(let value): return value
    case .values(let values, nil): return values[generator.below(values.count)]
    case .values(let values, let probabilities?):
      var u = generator.nextDouble()
      for (value, probability) in zip(values, probabilities) {
        if u < probability { return value }
        u -= probability
      }
      return values[values.count - 1]
    case .distribution(let distribution):
      let type = TrainingParameter.named(parameter.name)?.type
      var value = numericValue(distribution.draw(&generator), integer: distribution.integer)
      for _ in 0..<100 where type?.problem(with: value) != nil {
        value = numericValue(distribution.draw(&generator), integer: distribution.integer)
      }
      return value
    }
  }

  static func numericValue(_ x: Double, integer: Bool) -> ParameterValue {
    integer ? .integer(Int(max(-9e18, min(9e18, x.rounded())))) : .number(x)
  }

  /// 64-bit FNV-1a of the UTF-8 bytes (fixed forever: it seeds random sweeps).
  static func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
  }
}

extension ExperimentFile {
  /// Every dataset a trial of this file can use (the default, MNIST, when the file sets none).
  public var possibleDatasets: [DatasetName] {
    guard let parameter = parameters.first(where: { $0.name == "dataset" }) else {
      return [TrainingConfiguration().dataset]
    }
    return (parameter.specification.gridValues ?? []).compactMap {
      guard case .text(let name) = $0 else { return nil }
      return DatasetName(rawValue: name)
    }
  }
}
