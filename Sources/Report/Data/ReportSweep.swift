import Foundation
import GRDB
import KANLib
import Sweep

/// A sweep loaded for reporting: its record, trials, and the parameters that vary.
public struct ReportSweep: Sendable {
  /// The stored sweep.
  public var record: SweepRecord
  /// Trials by number.
  public var trials: [ReportTrial]
  /// Distinct environments, one line each.
  public var environments: [String]
  /// Parameters that take more than one value among the trials, in configuration order.
  public var sweptParameters: [String]

  /// Counts by state.
  public var counts: [TrialState: Int] {
    var result = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
    for trial in trials { result[trial.state, default: 0] += 1 }
    return result
  }

  /// Loads the named sweeps (all when `names` is empty) from `store` in a few queries.
  public static func load(from store: any SweepStorage, names: [String]) throws -> [ReportSweep] {
    let records = try store.sweeps()
    let chosen =
      names.isEmpty
      ? records
      : try names.map { name in
        guard let record = records.first(where: { $0.name == name }) else {
          throw StoreError(
            path: store.location,
            message:
              "no sweep named '\(name)' (stored: \(records.map(\.name).joined(separator: ", ")))")
        }
        return record
      }
    return try chosen.map { try loadOne($0, from: store) }
  }

  static func loadOne(_ record: SweepRecord, from store: any SweepStorage) throws -> ReportSweep {
    let rows = try store.trials(sweepID: record.id)
    let decoder = JSONDecoder()
    var trials: [ReportTrial] = []
    var indexByID: [Int64: Int] = [:]
    trials.reserveCapacity(rows.count)
    var configurationCache: [String: TrainingConfiguration] = [:]
    for row in rows {
      let configuration: TrainingConfiguration
      if let cached = configurationCache[row.configuration] {
        configuration = cached
      } else {
        configuration =
          (try? decoder.decode(TrainingConfiguration.self, from: Data(row.configuration.utf8)))
          ?? TrainingConfiguration()
        configurationCache[row.configuration] = configuration
      }
      indexByID[row.id] = trials.count
      trials.append(
        ReportTrial(
          sweep: record.name, number: row.number, state: row.state,
          seed: UInt64(bitPattern: row.seed),
          configuration: configuration, parameterCount: row.parameterCount,
          trainingSeconds: row.trainingSeconds, startedAt: row.startedAt,
          finishedAt: row.finishedAt,
          error: row.error))
    }
    let extra = try store.reportRows(sweepID: record.id)
    for (trialID, epoch, name, value) in extra.metrics {
      guard let index = indexByID[trialID], epoch >= 1 else { continue }
      trials[index].metrics[name, default: []].set(value, at: epoch - 1)
    }
    for (trialID, sha) in extra.checkpoints {
      if let index = indexByID[trialID] { trials[index].checkpointSHA256 = sha }
    }
    let swept = TrainingConfiguration.parameterNames.filter { name in
      name != "seed" && Set(trials.map { $0.configuration.value(of: name) }).count > 1
    }
    return ReportSweep(
      record: record, trials: trials, environments: extra.environments, sweptParameters: swept)
  }
}

extension TrainingConfiguration {
  /// The value of the snake_case parameter `name`, as text.
  public func value(of name: String) -> String {
    func number(_ value: Float) -> String { "\(value)" }
    switch name {
    case "dataset": return dataset.rawValue
    case "model": return model.rawValue
    case "hidden_layers": return "[" + hiddenLayers.map(String.init).joined(separator: ", ") + "]"
    case "grid_size": return String(gridSize)
    case "spline_order": return String(splineOrder)
    case "grid_range": return "[" + gridRange.map(number).joined(separator: ", ") + "]"
    case "grid_eps": return number(gridEps)
    case "scale_noise": return number(scaleNoise)
    case "scale_base": return number(scaleBase)
    case "scale_spline": return number(scaleSpline)
    case "base_activation": return baseActivation.rawValue
    case "epochs": return String(epochs)
    case "batch_size": return String(batchSize)
    case "learning_rate": return number(learningRate)
    case "weight_decay": return number(weightDecay)
    case "lr_schedule": return lrSchedule.rawValue
    case "lr_gamma": return number(lrGamma)
    case "update_grid_every": return String(updateGridEvery)
    case "update_grid_epochs": return String(updateGridEpochs)
    case "regularize_activation": return number(regularizeActivation)
    case "regularize_entropy": return number(regularizeEntropy)
    case "normalization": return normalization.rawValue
    case "train_limit": return trainLimit.map(String.init) ?? ""
    case "test_limit": return testLimit.map(String.init) ?? ""
    case "seed": return String(seed)
    default: return ""
    }
  }
}

extension Array where Element == Double? {
  /// Stores `value` at `index`, growing the array with nils as needed (in place).
  mutating func set(_ value: Double, at index: Int) {
    if count <= index { append(contentsOf: repeatElement(nil, count: index + 1 - count)) }
    self[index] = value
  }
}
