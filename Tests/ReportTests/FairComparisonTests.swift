import Foundation
import KANLib
import Testing

@testable import Report
@testable import Sweep

/// KANbeFair's fair comparison: MLPs sized to their KAN twins, FLOPs stored and shown.
@Suite struct FairComparisonTests {
  static let file = """
    name: fair
    seeds: [0, 1]
    parameters:
      dataset: {value: toy_exp_sin}
      model: {values: [kan, mlp]}
      hidden_layers: {value: [5]}
      grid_size: {values: [3, 5]}
      match: {value: params}
      epochs: {value: 3}
    """

  /// Crossing `model: [kan, mlp]` with `match: params` gives one MLP per KAN configuration:
  /// KAN [2, 5, 1] G3 has 15·8 = 120 parameters → MLP [2, 30, 1] (4·30 + 1 = 121); G5 has 150 →
  /// MLP [2, 37, 1] (149). KAN trials drop `match`.
  @Test func matchedMLPsFollowTheirKANTwins() throws {
    let trials = try ExperimentFile(text: Self.file, path: "fair.yaml").plannedTrials()
    #expect(trials.count == 8)
    let kan = trials.filter { $0.configuration.model == .kan }
    let mlp = trials.filter { $0.configuration.model == .mlp }
    #expect(kan.allSatisfy { $0.configuration.match == .none })
    #expect(Set(mlp.map(\.configuration.networkHiddenLayers)) == [[30], [37]])
    #expect(Set(mlp.map { $0.configuration.cost().parameters }) == [121, 149])
    #expect(Set(mlp.map(\.identity)).count == 4)
  }

  /// The report pairs each matched MLP with its KAN twin, draws the metric against FLOPs, and
  /// the leaderboard and trials.csv carry FLOPs. The store keeps the FLOPs a worker gives it.
  @Test func reportPairsTwinsAndShowsFLOPs() throws {
    let directory = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SweepStore(path: directory.appendingPathComponent("s.sqlite").path)
    try ReportFixture.populate(store, text: Self.file, failing: [])
    let sweeps = try SweepResults.load(from: store, names: ["fair"])
    let html = HTMLReport(sweeps: sweeps).render()
    #expect(html.contains("<h4>KAN vs MLP at equal params</h4>"))
    #expect(html.contains("<td>MLP [30] (params of KAN)</td>"))
    #expect(html.contains("<td>KAN [5] G3 k3</td>"))
    #expect(html.contains("<td>MLP [37] (params of KAN)</td>"))
    #expect(html.contains("val_rmse vs FLOPs per sample"))
    // KAN [2, 5, 1] G3 k3 SiLU: 15·(27·7.5 + 6 − 7.5 + 1) + (5·2 + 2·10) + (5·5 + 2·5) = 3,095.
    #expect(
      ModelCost.kan(widths: [2, 5, 1], gridSize: 3, splineOrder: 3, activation: .silu).flops == 3095
    )
    #expect(html.contains("<td data-v=\"3095.0\">3095</td>"))
    let csv = CSVWriter.trials(sweeps)
    #expect(csv.split(separator: "\n")[0].contains("parameter_count,flops"))

    let record = try #require(try store.trials(sweepID: sweeps[0].record.id).first)
    #expect(record.flops == nil)  // the fixture completes without FLOPs; the report computes them
    let fresh = try SweepStore(path: directory.appendingPathComponent("t.sqlite").path)
    let submission = try fresh.submit(try ExperimentFile(text: Self.file, path: "fair.yaml"))
    let worker = WorkerIdentity(host: "h", pid: 1)
    let claimed = try #require(try fresh.claim(sweepID: submission.sweepID, worker: worker))
    try fresh.complete(
      claimed, worker: worker, checkpoint: ("c.safetensors", String(repeating: "0", count: 64), 1),
      parameterCount: 120, flops: 2690, trainingSeconds: 1)
    let stored = try fresh.trials(sweepID: submission.sweepID).first { $0.id == claimed.id }
    #expect(stored?.flops == 2690 && stored?.parameterCount == 120)
  }
}
