import Foundation
import KANLib

/// Makes the next configuration of an open-ended sweep (`method: bayes`, or `method: random`
/// without `run_cap`) when a worker is free, from what the store holds: a killed sweep resumes
/// where it stopped, and the same results give the same suggestions.
public struct TrialSuggester {
  let store: SweepStore
  let sweep: SweepRecord
  /// The sweep's file, as stored.
  public let file: ExperimentFile

  /// A suggester for `sweep`; nil when its trials are all planned by the file.
  public init?(store: SweepStore, sweep: SweepRecord) {
    guard let file = try? ExperimentFile(text: sweep.fileText, path: sweep.filePath),
      file.isOpenEnded
    else { return nil }
    self.store = store
    self.sweep = sweep
    self.file = file
  }

  /// The configurations made so far, in order of their first trial: each one's parameter values
  /// and objective (the mean over seeds of the sweep's metric at the last stored epoch, of its
  /// completed and pruned trials; nil while none has finished). Configurations whose every trial
  /// failed are left out.
  public func history() throws(StoreError) -> [TPESampler.Observation] {
    let results = try SweepResults.load(sweep, from: store)
    var order: [String] = []
    var groups: [String: [TrialResult]] = [:]
    for trial in results.trials {
      let key = trial.configurationKey
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(trial)
    }
    return order.compactMap { key in
      guard let trials = groups[key], let first = trials.first,
        !trials.allSatisfy({ $0.state == .failed })
      else { return nil }
      let configuration = first.configuration
      let metric = SweepAnalysis.metric(
        for: configuration.dataset, in: sweep, validation: configuration.validationFraction > 0)
      let values = trials.filter { $0.state == .completed || $0.state == .pruned }
        .compactMap { $0.final(metric.name) }.filter(\.isFinite)
      var parameters: [String: ParameterValue] = [:]
      for parameter in file.parameters {
        parameters[parameter.name] = TrainingParameter.named(parameter.name)?.value(
          in: configuration)
      }
      return TPESampler.Observation(
        values: parameters,
        objective: values.isEmpty ? nil : values.reduce(0, +) / Double(values.count))
    }
  }

  /// What ``enqueueNext(maxConfigurations:)`` did.
  public enum Outcome: Sendable, Equatable {
    /// A new configuration is queued.
    case added
    /// `run_cap` (or `--max-trials`) configurations exist.
    case capReached
    /// 100 suggestions in a row were configurations the sweep already has (a small discrete
    /// space is exhausted, or the search has converged).
    case noNewConfiguration
  }

  /// Enqueues the next configuration (one trial per seed) unless `maxConfigurations` are made.
  public func enqueueNext(maxConfigurations: Int?) throws -> Outcome {
    let history = try history()
    let made = try store.trials(sweepID: sweep.id).count / max(1, file.seeds.count)
    if let cap = file.runCap ?? maxConfigurations, made >= cap { return .capReached }
    if let maxConfigurations, made >= maxConfigurations { return .capReached }
    let goal: MetricGoal
    if let name = file.metricGoal.flatMap(MetricGoal.init(rawValue:)) {
      goal = name
    } else {
      let dataset = file.possibleDatasets.first ?? .mnist
      goal = SweepAnalysis.metric(for: dataset, in: sweep, validation: true).goal
    }
    let sampler = TPESampler(file: file, goal: goal)
    // A suggestion the store already has (same configuration) is skipped for the next index.
    for offset in 0..<100 {
      let index = made + offset
      let assignment =
        file.method == .bayes
        ? sampler.suggest(index: index, history: history) : file.randomSample(index)
      if try store.enqueue(try file.trials(assignment), sweepID: sweep.id) > 0 { return .added }
    }
    return .noNewConfiguration
  }

  /// Whether a finished trial has reached the file's `metric.target`.
  public func targetReached() throws(StoreError) -> Bool {
    try Self.targetReached(file: file, sweep: sweep, store: store)
  }

  /// Whether a finished trial of `sweep` reached `file`'s `metric.target`.
  public static func targetReached(file: ExperimentFile, sweep: SweepRecord, store: SweepStore)
    throws(StoreError) -> Bool
  {
    guard let target = file.metricTarget else { return false }
    let results = try SweepResults.load(sweep, from: store)
    for dataset in results.analysis.datasets {
      for trial in dataset.trials where trial.state == .completed || trial.state == .pruned {
        if let value = trial.final(dataset.metric), value.isFinite,
          !dataset.goal.isBetter(target, than: value)
        {
          return true
        }
      }
    }
    return false
  }
}
