import Foundation
import KANLib
import Testing

@testable import Sweep

/// The scaling plot's analysis: one point per grid of a grid-extended KAN, slopes fitted on
/// log-log axes up to each curve's lowest point.
@Suite struct ScalingCurveTests {
  static func trial(
    _ configuration: TrainingConfiguration, rmse: [Double], parameterCount: Int? = nil
  ) -> TrialResult {
    TrialResult(
      sweep: "scaling", number: 0, state: .completed, seed: configuration.seed,
      configuration: configuration, configurationJSON: "{}", parameters: "{}",
      parameterCount: parameterCount, metrics: ["test_rmse": rmse.map { $0 }])
  }

  static var scheduled: TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.dataset = .toyExpSin
    configuration.hiddenLayers = [5]
    configuration.gridSize = 3
    configuration.gridSchedule = [3, 5, 10, 20, 50]
    configuration.gridExtendEvery = 2
    configuration.epochs = 10
    return configuration
  }

  /// RMSE = 7·N⁻⁴ at the end of each grid (N the exact parameter count: 15 edges × (G + 5)) and
  /// a rise at G = 50: the slope is −4 (closed form) over the four falling points, and two seeds
  /// average per epoch.
  @Test func scheduledKANFollowsItsGridsAndFitsTheFallingPart() throws {
    let configuration = Self.scheduled
    let counts = [3, 5, 10, 20, 50].map { 15 * ($0 + 5) }
    #expect(counts == [3, 5, 10, 20, 50].map { configuration.cost(gridSize: $0).parameters })
    var curve = [Double](repeating: 1, count: 10)
    for (stage, count) in counts.enumerated() {
      curve[2 * stage + 1] = 7 * pow(Double(count), -4)
    }
    curve[9] = curve[7] * 3  // G = 50 overfits
    // The second seed is 10% higher everywhere: the mean is 1.05× — the same slope.
    let seeds = [
      Self.trial(configuration, rmse: curve),
      Self.trial(configuration, rmse: curve.map { $0 * 1.1 }),
    ]
    let curves = ScalingCurve.curves(
      [ConfigurationGroup(trials: seeds, metric: "test_rmse")], metric: "test_rmse")
    let scaling = try #require(curves.first)
    #expect(curves.count == 1)
    #expect(scaling.label == "KAN [5] k3")
    #expect(scaling.points.map(\.parameters) == counts)
    #expect(scaling.points.map(\.gridSize) == [3, 5, 10, 20, 50])
    #expect(abs(scaling.points[0].value - 1.05 * 7 * pow(120, -4)) < 1e-18)
    #expect(scaling.fittedCount == 4)
    #expect(abs(try #require(scaling.slope) + 4) < 1e-9)
  }

  /// A trial stopped during its third grid contributes the grids it reached (the third at its
  /// last recorded epoch is absent: the stage's last epoch was never recorded).
  @Test func unfinishedSchedulesStopAtTheLastRecordedGrid() {
    var configuration = Self.scheduled
    configuration.epochs = 10
    let partial = Self.trial(configuration, rmse: [0.5, 0.1, 0.05, 0.01, 0.009])
    let points = ScalingCurve.stagePoints(
      ConfigurationGroup(trials: [partial], metric: "test_rmse"), metric: "test_rmse")
    #expect(points.map(\.gridSize) == [3, 5])
    #expect(points.map(\.value) == [0.1, 0.01])
  }

  /// MLPs (and fixed-grid KANs) pool into one curve per model kind, the best value per size.
  @Test func mlpsPoolIntoOneCurve() throws {
    var groups: [ConfigurationGroup] = []
    for (width, count) in [(5, 21), (16, 65), (64, 257)] {
      var configuration = TrainingConfiguration()
      configuration.dataset = .toyExpSin
      configuration.model = .mlp
      configuration.hiddenLayers = [width]
      let value = 2 / Double(count)
      groups.append(
        ConfigurationGroup(
          trials: [Self.trial(configuration, rmse: [1, value], parameterCount: count)],
          metric: "test_rmse"))
    }
    let curve = try #require(ScalingCurve.curves(groups, metric: "test_rmse").first)
    #expect(curve.label == "MLP" && curve.model == .mlp)
    #expect(curve.points.map(\.parameters) == [21, 65, 257])
    #expect(abs(try #require(curve.slope) + 1) < 1e-9)
  }

  @Test func fitLineIsOrdinaryLeastSquaresOnLogs() throws {
    // log10 y = 1 − 2·log10 x exactly, plus a point that is dropped (y ≤ 0).
    let fit = try #require(
      ScalingCurve.fitLine([(10, 0.1), (100, 0.001), (1000, 1e-5), (5, 0)]))
    #expect(abs(fit.slope + 2) < 1e-12 && abs(fit.intercept - 1) < 1e-12)
    #expect(ScalingCurve.fitLine([(10, 1)]) == nil)
  }
}
