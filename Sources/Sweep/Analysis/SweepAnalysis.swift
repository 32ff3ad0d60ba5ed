import KANLib

/// What a sweep found, per dataset: the metric and its direction, the configurations grouped
/// over seeds (mean ± std, n), the best configuration and the best trial. `sweep status`, the
/// HTML report and the CSVs all read "best" from here.
///
/// Concretely, for each dataset in order of first appearance:
/// - the metric is the sweep file's `metric.name`, else the dataset's default (`test_accuracy`
///   for image classification, `test_rmse` for the synthetic regressions), and its goal is
///   `metric.goal`, else ``MetricGoal/natural(for:)``;
/// - completed trials with the same configuration but their seed form a group, judged by the
///   mean of the final epoch's value over seeds (non-finite values are left out);
/// - groups are ranked best first (ties: lower first trial number); the best trial is the best
///   seed of the best group (ties: lower trial number).
public struct SweepAnalysis: Sendable {
  /// One dataset's results.
  public struct Dataset: Sendable {
    /// The dataset.
    public let dataset: DatasetName
    /// The metric ranked on.
    public let metric: String
    /// Its direction.
    public let goal: MetricGoal
    /// Every trial of the dataset.
    public let trials: [TrialResult]
    /// Completed configurations with a value, best first.
    public let groups: [ConfigurationGroup]

    /// The best configuration.
    public var best: ConfigurationGroup? { groups.first }

    /// The best trial: the best seed of the best configuration.
    public var bestTrial: (trial: TrialResult, value: Double)? {
      best.flatMap(bestTrial(of:))
    }

    /// The best trial of the best KAN configuration (whose learned functions can be drawn).
    public var bestKANTrial: TrialResult? {
      groups.first { $0.configuration.model == .kan && $0.configuration.basis == .bspline }
        .flatMap(bestTrial(of:))?.trial
    }

    /// The best seed of `group` (ties: lower trial number).
    public func bestTrial(of group: ConfigurationGroup) -> (trial: TrialResult, value: Double)? {
      var found: (trial: TrialResult, value: Double)?
      for trial in group.trials {
        guard let value = trial.final(metric), value.isFinite else { continue }
        if found.map({ goal.isBetter(value, than: $0.value) }) ?? true { found = (trial, value) }
      }
      return found
    }
  }

  /// Datasets in order of first appearance among the trials.
  public let datasets: [Dataset]

  /// Analyzes `results`.
  public init(_ results: SweepResults) {
    var order: [DatasetName] = []
    var byDataset: [DatasetName: [TrialResult]] = [:]
    for trial in results.trials {
      let dataset = trial.configuration.dataset
      if byDataset[dataset] == nil { order.append(dataset) }
      byDataset[dataset, default: []].append(trial)
    }
    datasets = order.map { dataset in
      let trials = byDataset[dataset] ?? []
      let validation = trials.contains { $0.configuration.validationFraction > 0 }
      let (metric, goal) = Self.metric(for: dataset, in: results.record, validation: validation)
      return Dataset(
        dataset: dataset, metric: metric, goal: goal, trials: trials,
        groups: Self.groups(trials, metric: metric, goal: goal))
    }
  }

  /// The metric a sweep ranks `dataset` on, and its goal: the file's `metric`, else the
  /// dataset's validation metric (`val_accuracy`, `val_rmse`) when its trials hold out a
  /// validation split, else its test metric (trials from before validation splits).
  public static func metric(for dataset: DatasetName, in sweep: SweepRecord, validation: Bool)
    -> (name: String, goal: MetricGoal)
  {
    let fallback =
      validation
      ? (dataset.isClassification ? "val_accuracy" : "val_rmse") : dataset.defaultMetric
    let name = sweep.metricName ?? fallback
    let goal = sweep.metricGoal.flatMap(MetricGoal.init(rawValue:)) ?? .natural(for: name)
    return (name, goal)
  }

  /// Completed trials grouped by configuration without seed, best first.
  static func groups(_ trials: [TrialResult], metric: String, goal: MetricGoal)
    -> [ConfigurationGroup]
  {
    var order: [String] = []
    var byKey: [String: [TrialResult]] = [:]
    for trial in trials where trial.state == .completed {
      let key = trial.configurationKey
      if byKey[key] == nil { order.append(key) }
      byKey[key, default: []].append(trial)
    }
    let groups = order.map { ConfigurationGroup(trials: byKey[$0] ?? [], metric: metric) }.filter {
      $0.count > 0
    }
    // Each mean once: a group's mean is recomputed from its trials on every access.
    let ranked = groups.map { (group: $0, mean: $0.mean, first: $0.trials[0].number) }
    return ranked.sorted { a, b in
      a.mean == b.mean ? a.first < b.first : goal.isBetter(a.mean, than: b.mean)
    }.map(\.group)
  }
}

/// Whether larger or smaller values of a metric are better.
public enum MetricGoal: String, Sendable, CaseIterable {
  /// Larger is better (accuracies).
  case maximize
  /// Smaller is better (losses, RMSE, times).
  case minimize

  /// The direction a metric name implies: accuracies are maximized, everything else minimized.
  public static func natural(for metric: String) -> MetricGoal {
    metric.hasSuffix("accuracy") ? .maximize : .minimize
  }

  /// Whether `value` is better than `other` (strictly).
  public func isBetter(_ value: Double, than other: Double) -> Bool {
    self == .maximize ? value > other : value < other
  }
}
