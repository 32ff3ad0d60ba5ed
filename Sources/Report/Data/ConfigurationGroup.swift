import Foundation
import KANLib

/// Completed trials that differ only by seed, aggregated.
struct ConfigurationGroup {
  var trials: [ReportTrial]
  var metric: String

  var configuration: TrainingConfiguration { trials[0].configuration }
  var values: [Double] { trials.compactMap { $0.final(metric) }.filter(\.isFinite) }
  var count: Int { values.count }
  var mean: Double {
    values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
  }
  var standardDeviation: Double {
    guard values.count > 1 else { return 0 }
    let m = mean
    return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
  }
  var parameterCount: Int? { trials.compactMap(\.parameterCount).first }
  var secondsPerEpoch: Double? {
    let seconds = trials.compactMap { $0.mean("epoch_seconds") }
    return seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
  }

  /// Mean of `metric` at each epoch over the seeds.
  var curve: [Double] {
    let series = trials.compactMap { $0.metrics[metric] }
    let length = series.map(\.count).max() ?? 0
    return (0..<length).map { epoch in
      let values = series.compactMap { epoch < $0.count ? $0[epoch] : nil }.filter(\.isFinite)
      return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
  }

  /// Groups the completed trials of one dataset, best first.
  static func groups(_ trials: [ReportTrial], metric: String, maximize: Bool)
    -> [ConfigurationGroup]
  {
    var order: [String] = []
    var byKey: [String: [ReportTrial]] = [:]
    for trial in trials where trial.state == .completed {
      let key = trial.configurationKey
      if byKey[key] == nil { order.append(key) }
      byKey[key, default: []].append(trial)
    }
    let groups = order.map { ConfigurationGroup(trials: byKey[$0] ?? [], metric: metric) }.filter {
      $0.count > 0
    }
    return groups.sorted { a, b in
      a.mean == b.mean
        ? a.trials[0].number < b.trials[0].number : (maximize ? a.mean > b.mean : a.mean < b.mean)
    }
  }
}
