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

  /// The number of configurations (before seeds): the grid's size, or `run_cap` samples;
  /// `Int.max` when the grid's product overflows.
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
    case .random: return runCap ?? 0
    }
  }

  /// Configurations × seeds, before MLP duplicates are dropped; `Int.max` on overflow. Computed
  /// without expanding anything.
  public var plannedTrialUpperBound: Int {
    let (product, overflow) = plannedConfigurationCount.multipliedReportingOverflow(
      by: seeds.count)
    return overflow ? .max : product
  }

  /// Every trial, deterministically ordered: configurations in grid order (the last parameter
  /// varies fastest) or sample order, each once per seed. MLP trials ignore the KAN-only
  /// parameters (grid size, spline order, …), so a grid crossing `model: [kan, mlp]` with KAN
  /// parameters yields each MLP configuration once.
  ///
  /// Random samples: sample i draws its parameters, in file order, from
  /// `KANRandom(seed: i, stream: FNV-1a(name))`, so raising `run_cap` keeps earlier samples.
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
      let stream = Self.stableHash(name)
      for sample in 0..<(runCap ?? 0) {
        var generator = KANRandom(seed: UInt64(sample), stream: stream)
        assignments.append(parameters.map { ($0.name, Self.draw($0.specification, &generator)) })
      }
    }
    var trials: [PlannedTrial] = []
    var seen: Set<String> = []
    for assignment in assignments {
      for seed in seeds {
        var configuration = TrainingConfiguration()
        var problems: [String] = []
        for (name, value) in assignment {
          guard let parameter = TrainingParameter.named(name) else { continue }
          if let problem = parameter.assign(value, to: &configuration) {
            problems.append("\(name) \(problem)")
          }
        }
        configuration.seed = seed
        var values = Dictionary(uniqueKeysWithValues: assignment)
        if configuration.model == .mlp {
          configuration.resetKANOnlyParameters()
          for parameter in TrainingParameter.all where parameter.kanOnly {
            values[parameter.name] = nil
          }
        }
        func refuse(_ detail: String) -> ExperimentError {
          let description = assignment.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
          return ExperimentError(
            file: path, line: nil, column: nil, keyPath: "parameters",
            message: "the trial \(description) seed \(seed) cannot run: \(detail)")
        }
        guard problems.isEmpty else { throw refuse(problems.joined(separator: "; ")) }
        let trial: PlannedTrial
        do {
          trial = try PlannedTrial(configuration: configuration, values: values)
        } catch {
          throw refuse(error.description)
        }
        if seen.insert(trial.identity).inserted { trials.append(trial) }
      }
    }
    return trials
  }

  static func draw(_ specification: ParameterSpecification, _ generator: inout KANRandom)
    -> ParameterValue
  {
    switch specification {
    case .fixed(let value): return value
    case .values(let values): return values[generator.below(values.count)]
    case .uniform(let low, let high): return .number(low + (high - low) * generator.nextDouble())
    case .integerUniform(let low, let high): return .integer(low + generator.below(high - low + 1))
    case .logUniform(let low, let high):
      return .number(exp(log(low) + (log(high) - log(low)) * generator.nextDouble()))
    }
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
