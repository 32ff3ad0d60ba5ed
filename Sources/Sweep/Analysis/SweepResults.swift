import Foundation
import KANLib

/// A sweep loaded for analysis: its record, trials with their metrics, and the parameters that
/// vary. Loaded in a few bulk queries from one store.
public struct SweepResults: Sendable {
  /// The stored sweep.
  public var record: SweepRecord
  /// Trials by number.
  public var trials: [TrialResult]
  /// Distinct environments, one line each.
  public var environments: [String]
  /// Sweep-file parameters that take more than one value among the trials, in registry order.
  public var sweptParameters: [String]

  /// Counts by state.
  public var counts: [TrialState: Int] {
    var result = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
    for trial in trials { result[trial.state, default: 0] += 1 }
    return result
  }

  /// The per-dataset analysis (metric, groups over seeds, best configuration and trial).
  public var analysis: SweepAnalysis { SweepAnalysis(self) }

  /// Loads the named sweeps (all when `names` is empty) from `store`.
  public static func load(from store: SweepStore, names: [String]) throws(StoreError)
    -> [SweepResults]
  {
    let records = try store.sweeps()
    var chosen: [SweepRecord] = []
    for name in names {
      guard let record = records.first(where: { $0.name == name }) else {
        throw StoreError(
          path: store.location,
          message:
            "no sweep named '\(name)' (stored: \(records.map(\.name).joined(separator: ", ")))")
      }
      chosen.append(record)
    }
    var results: [SweepResults] = []
    for record in names.isEmpty ? records : chosen {
      results.append(try load(record, from: store))
    }
    return results
  }

  /// Loads one sweep.
  public static func load(_ record: SweepRecord, from store: SweepStore) throws(StoreError)
    -> SweepResults
  {
    let rows = try store.trials(sweepID: record.id)
    let decoder = JSONDecoder()
    var trials: [TrialResult] = []
    var indexByID: [Int64: Int] = [:]
    trials.reserveCapacity(rows.count)
    var configurationCache: [String: TrainingConfiguration] = [:]
    for row in rows {
      let configuration: TrainingConfiguration
      if let cached = configurationCache[row.configuration] {
        configuration = cached
      } else {
        do {
          configuration = try decoder.decode(
            TrainingConfiguration.self, from: Data(row.configuration.utf8))
        } catch {
          throw StoreError(
            path: store.location,
            message:
              "\(record.name):\(row.number): the stored configuration cannot be read: \(error)")
        }
        configurationCache[row.configuration] = configuration
      }
      indexByID[row.id] = trials.count
      trials.append(
        TrialResult(
          sweep: record.name, number: row.number, state: row.state,
          seed: UInt64(bitPattern: row.seed), configuration: configuration,
          configurationJSON: row.configuration, parameters: row.parameters,
          parameterCount: row.parameterCount,
          flops: row.flops ?? (row.state == .completed ? configuration.cost().flops : nil),
          trainingSeconds: row.trainingSeconds,
          startedAt: row.startedAt, finishedAt: row.finishedAt, error: row.error))
    }
    let extra = try store.reportRows(sweepID: record.id)
    for (trialID, epoch, name, value) in extra.metrics {
      guard let index = indexByID[trialID], epoch >= 1 else { continue }
      trials[index].metrics[name, default: []].set(value, at: epoch - 1)
    }
    for (trialID, sha, path) in extra.checkpoints {
      guard let index = indexByID[trialID] else { continue }
      trials[index].checkpointSHA256 = sha
      trials[index].checkpointPath = path
    }
    for run in extra.runs {
      guard let index = indexByID[run.trialID] else { continue }
      trials[index].blasThreads = run.blasThreads
      trials[index].dataDirectory = run.dataDirectory
    }
    let swept = TrainingParameter.sweepFileParameters.map(\.name).filter { name in
      Set(trials.map { $0.configuration.value(of: name) }).count > 1
    }
    return SweepResults(
      record: record, trials: trials, environments: extra.environments, sweptParameters: swept)
  }
}

extension Array where Element == Double? {
  /// Stores `value` at `index`, growing the array with nils as needed (in place).
  mutating func set(_ value: Double, at index: Int) {
    if count <= index { append(contentsOf: repeatElement(nil, count: index + 1 - count)) }
    self[index] = value
  }
}
