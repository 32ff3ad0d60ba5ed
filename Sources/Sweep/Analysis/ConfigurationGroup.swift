import Foundation
import KANLib

/// Completed trials that differ only by seed, summarized on one metric.
public struct ConfigurationGroup: Sendable {
  /// The trials, in trial-number order.
  public var trials: [TrialResult]
  /// The metric summarized.
  public var metric: String

  /// The shared configuration (the first trial's seed).
  public var configuration: TrainingConfiguration { trials[0].configuration }
  /// The finite final values of `metric`, one per trial that has one.
  public var values: [Double] { trials.compactMap { $0.final(metric) }.filter(\.isFinite) }
  /// How many seeds have a value.
  public var count: Int { values.count }
  /// Mean over seeds (NaN when none).
  public var mean: Double {
    values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
  }
  /// Sample standard deviation over seeds (0 for one seed).
  public var standardDeviation: Double {
    guard values.count > 1 else { return 0 }
    let m = mean
    return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
  }
  /// Trainable parameters.
  public var parameterCount: Int? { trials.compactMap(\.parameterCount).first }
  /// Forward FLOPs per sample (KANbeFair's counting).
  public var flops: Double? { trials.compactMap(\.flops).first }
  /// Mean seconds per epoch over the trials.
  public var secondsPerEpoch: Double? {
    let seconds = trials.compactMap { $0.mean("epoch_seconds") }
    return seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
  }

  /// Mean of `metric` at each epoch over the seeds.
  public var curve: [Double] {
    let series = trials.compactMap { $0.metrics[metric] }
    let length = series.map(\.count).max() ?? 0
    return (0..<length).map { epoch in
      let values = series.compactMap { epoch < $0.count ? $0[epoch] : nil }.filter(\.isFinite)
      return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
  }
}
