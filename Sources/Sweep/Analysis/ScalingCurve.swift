import Foundation
import KANLib

/// Test error against parameter count: the KAN paper's scaling plot (Liu et al. 2024, §3.1,
/// "neural scaling laws"), one curve per configuration.
///
/// A KAN with a `grid_schedule` contributes one point per grid it reached: its parameter count
/// at that grid and the metric at the last epoch spent on it, averaged over seeds. KANs without
/// a schedule and MLPs contribute one point per configuration, pooled into one curve per model
/// kind (so the MLP curve runs across widths). The slope is the least-squares fit of
/// log₁₀(metric) against log₁₀(parameters) over the points up to the curve's lowest one: past
/// it the error no longer falls (float32 rounding or optimization), and the paper's slopes
/// are read off the falling part.
public struct ScalingCurve: Sendable {
  /// One point of a curve.
  public struct Point: Sendable, Equatable {
    /// Trainable parameters.
    public var parameters: Int
    /// The metric, mean over seeds.
    public var value: Double
    /// The grid size (KAN points).
    public var gridSize: Int?
  }

  /// What the curve shows: `KAN [5] k3` (its points carry the grid sizes), `KAN (fixed grids)`,
  /// `MLP`.
  public var label: String
  /// The model kind.
  public var model: ModelKind
  /// Points by increasing parameter count.
  public var points: [Point]
  /// The fitted slope, when at least two points precede the lowest one.
  public var slope: Double? { fit?.slope }
  /// The fitted line log₁₀(value) = intercept + slope·log₁₀(parameters).
  public var fit: (slope: Double, intercept: Double)?
  /// The points the slope was fitted on (a prefix of ``points``).
  public var fittedCount: Int

  /// The curves of `groups` on `metric` (a regression metric such as `test_rmse`).
  public static func curves(_ groups: [ConfigurationGroup], metric: String) -> [ScalingCurve] {
    var curves: [ScalingCurve] = []
    var pooled: [ModelKind: [Point]] = [:]
    for group in groups {
      let configuration = group.configuration
      if configuration.model == .kan && configuration.gridSchedule.count > 1 {
        let points = stagePoints(group, metric: metric)
        guard !points.isEmpty else { continue }
        curves.append(
          ScalingCurve(
            label: "KAN \(configuration.hiddenLayers) k\(configuration.splineOrder)", model: .kan,
            points: points))
      } else if let parameters = group.parameterCount, group.mean.isFinite {
        pooled[configuration.model, default: []].append(
          Point(
            parameters: parameters, value: group.mean,
            gridSize: configuration.model == .kan ? configuration.gridSize : nil))
      }
    }
    for model in [ModelKind.kan, .mlp] {
      guard let points = pooled[model], !points.isEmpty else { continue }
      // The best configuration at each size.
      var best: [Int: Point] = [:]
      for point in points where best[point.parameters].map({ point.value < $0.value }) ?? true {
        best[point.parameters] = point
      }
      curves.append(
        ScalingCurve(
          label: model == .kan ? "KAN (fixed grids)" : "MLP", model: model,
          points: best.values.sorted { $0.parameters < $1.parameters }))
    }
    return curves
  }

  /// Sorts the points and fits the slope.
  init(label: String, model: ModelKind, points: [Point]) {
    self.label = label
    self.model = model
    let sorted = points.sorted { $0.parameters < $1.parameters }
    let lowest = sorted.indices.min { sorted[$0].value < sorted[$1].value } ?? 0
    self.points = sorted
    fittedCount = lowest + 1
    fit = Self.fitLine(sorted.prefix(lowest + 1).map { (Double($0.parameters), $0.value) })
  }

  /// The metric at the end of each grid of a KAN group's schedule, averaged over seeds.
  static func stagePoints(_ group: ConfigurationGroup, metric: String) -> [Point] {
    let configuration = group.configuration
    let every = configuration.gridExtendEvery
    var points: [Point] = []
    for (stage, gridSize) in configuration.gridSchedule.enumerated() {
      guard stage * every < configuration.epochs else { break }
      let lastEpoch =
        stage == configuration.gridSchedule.count - 1
        ? configuration.epochs : min((stage + 1) * every, configuration.epochs)
      let values = group.trials.compactMap { trial -> Double? in
        guard let series = trial.metrics[metric], lastEpoch - 1 < series.count else { return nil }
        return series[lastEpoch - 1]
      }.filter(\.isFinite)
      guard !values.isEmpty else { continue }
      points.append(
        Point(
          parameters: configuration.cost(gridSize: gridSize).parameters,
          value: values.reduce(0, +) / Double(values.count), gridSize: gridSize))
    }
    return points
  }

  /// The least-squares line of log₁₀(y) on log₁₀(x), or nil with fewer than two points (or
  /// non-positive values).
  public static func fitLine(_ points: [(x: Double, y: Double)]) -> (
    slope: Double, intercept: Double
  )? {
    let logs = points.filter { $0.x > 0 && $0.y > 0 }.map { (log10($0.x), log10($0.y)) }
    guard logs.count >= 2 else { return nil }
    let n = Double(logs.count)
    let meanX = logs.map(\.0).reduce(0, +) / n
    let meanY = logs.map(\.1).reduce(0, +) / n
    let sxx = logs.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
    guard sxx > 0 else { return nil }
    let slope = logs.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) } / sxx
    return (slope, meanY - slope * meanX)
  }
}
