import Foundation
import KANLib
import Testing

@testable import Report
@testable import Sweep

/// The report a researcher acts on: trials and commands per row, honest colours and axes, one
/// number format, what mattered.
@Suite struct MorningAfterTests {
  static func fixture() throws -> (URL, [SweepResults]) {
    let directory = try ReportFixture.temporaryDirectory()
    let store = try ReportFixture.makeStore(at: directory)
    return (directory, try SweepResults.load(from: store, names: ["fixture-grid"]))
  }

  @Test func everyRowListsItsTrialsWithCommandsThatPaste() throws {
    let (directory, sweeps) = try Self.fixture()
    defer { try? FileManager.default.removeItem(at: directory) }
    var report = HTMLReport(sweeps: sweeps)
    report.commands = TrialCommands(executable: "/opt/kan sweep/bin/sweep", store: "/data/s.sqlite")
    let html = report.render()
    let analysis = try #require(sweeps[0].analysis.datasets.first)
    let best = try #require(analysis.bestTrial?.trial)
    #expect(html.contains("Best trial per dataset"))
    #expect(html.contains("trial <b>#\(best.number)</b> (seed \(best.seed))"))
    // Every completed trial of every row has its rerun command (quoted executable, the store).
    for group in analysis.groups {
      for trial in group.trials {
        let rerun =
          "&#39;/opt/kan sweep/bin/sweep&#39; rerun fixture-grid:\(trial.number) --db /data/s.sqlite"
        #expect(html.contains(rerun), "trial \(trial.number)")
        #expect(html.contains("<td>\(trial.number)</td><td>\(trial.seed)</td><td>completed</td>"))
      }
    }
    #expect(html.contains("class=\"copy\" data-copy=\"&#39;/opt/kan sweep/bin/sweep&#39; train "))
  }

  @Test func reproduceCommandsQuoteAndCarryTheDataFolder() throws {
    let commands = TrialCommands(executable: "sweep")
    var configuration = TrainingConfiguration()
    configuration.seed = 3
    let line = commands.train(
      configuration, threads: 2, dataDirectory: "/data/my images", savePath: "x.safetensors")
    #expect(line.hasPrefix("sweep train "))
    #expect(line.contains("--threads 2 --data-dir '/data/my images' --save-path x.safetensors"))
    #expect(TrialCommands.quote("it's") == "'it'\\''s'")
    #expect(TrialCommands.executable(invokedAs: "sweep") == "sweep")
    #expect(
      TrialCommands.executable(invokedAs: ".build/release/sweep", workingDirectory: "/work/kan")
        == "/work/kan/.build/release/sweep")
    #expect(TrialCommands.executable(invokedAs: "/usr/bin/sweep") == "/usr/bin/sweep")
  }

  /// 0.8645 against 0.8665 with a seed std of 0.0025: noise, so both take the best colour.
  @Test func heatmapCellsWithinOneSeedStdShareTheBestColour() {
    #expect(Heatmap.shade(0.8645, best: 0.8665, worst: 0.80, noise: 0.0025) == 1)
    #expect(Heatmap.shade(0.8665, best: 0.8665, worst: 0.80, noise: 0.0025) == 1)
    #expect(Heatmap.shade(0.80, best: 0.8665, worst: 0.80, noise: 0.0025) == 0)
    let halfway = Heatmap.shade(0.8325, best: 0.8665, worst: 0.80, noise: 0.0025)
    #expect(halfway > 0.45 && halfway < 0.55)
    let map = Heatmap(
      title: "t", rowLabel: "k", columnLabel: "G", rows: ["3"], columns: ["5", "10"],
      cells: [
        [.init(mean: 0.8645, std: 0.0026, count: 3), .init(mean: 0.8665, std: 0.0026, count: 3)]
      ],
      higherIsBetter: true)
    let svg = map.svg()
    let fills = svg.components(separatedBy: "fill=\"hsl(").dropFirst().map { $0.prefix(16) }
    #expect(fills.count == 2 && fills[0] == fills[1], "\(fills)")
    #expect(svg.contains("± 0.003") && svg.contains("within one seed-std"))
    let single = Heatmap(
      title: "t", rowLabel: "k", columnLabel: "G", rows: ["3"], columns: ["5", "10"],
      cells: [[.init(mean: 0.86, std: 0, count: 1), .init(mean: 0.87, std: 0, count: 1)]],
      higherIsBetter: true
    ).svg()
    #expect(single.contains("no noise estimate"))
  }

  @Test func logAxesTickEveryDecadeWithTwoAndFive() {
    let scale = Scale(values: [1e-4, 1e-1], start: 0, end: 100, logarithmic: true, padding: 0)
    let ticks = scale.ticks()
    for expected in [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1] {
      #expect(ticks.contains { abs($0 / expected - 1) < 1e-9 }, "\(expected) in \(ticks)")
    }
    #expect(logLabel(1e5) == "1e5" && logLabel(2e5) == "2e5" && logLabel(5e-4) == "5e-4")
    #expect(logLabel(200) == "200" && logLabel(0.002) == "0.002")
    let wide = Scale(values: [1, 1e9], start: 0, end: 100, logarithmic: true, padding: 0)
    #expect(wide.ticks().allSatisfy { abs(log10($0) - log10($0).rounded()) < 1e-9 })
  }

  @Test func oneNumberFormatBySeedStd() {
    #expect(measured(0.86452, std: 7.07e-4) == "0.8645")
    #expect(meanAndSpread(0.86452, 7.07e-4, count: 3) == "0.8645 ± 0.0007")
    #expect(meanAndSpread(0.86452, 0.012, count: 3) == "0.86 ± 0.01")
    #expect(meanAndSpread(0.86452, 0, count: 1) == "0.8645")
    #expect(meanAndSpread(0.5, 0, count: 2) == "0.5 ± 0 (identical)")
    #expect(meanAndSpread(41.3, 2.5, count: 3) == "41 ± 2")
  }

  @Test func mlpsStandApartAndTimingIsDrawnPerParameter() throws {
    let (directory, sweeps) = try Self.fixture()
    defer { try? FileManager.default.removeItem(at: directory) }
    let html = HTMLReport(sweeps: sweeps).render()
    #expect(html.contains("stroke-dasharray=\"5 3\""))
    #expect(html.contains("MLPs dashed, passing the KAN-only axes by."))
    for parameter in ["grid_size", "spline_order"] {
      #expect(html.contains("seconds per epoch by \(parameter)"))
    }
    // The MLP polylines skip the two KAN-only axes: 2 points (model, metric) instead of 4.
    let dashed = html.components(separatedBy: "<polyline class=\"pc\" stroke-dasharray=\"5 3\"")
      .dropFirst()
    let points = try #require(dashed.first?.components(separatedBy: "points=\"").dropFirst().first)
    let count = points.prefix { $0 != "\"" }.split(separator: " ").count
    #expect(count == 2, "\(points.prefix(80))")
    #expect(html.contains("what mattered for"))
  }

  @Test func bigSweepsDrawASampleOfLines() throws {
    let (directory, sweeps) = try Self.fixture()
    defer { try? FileManager.default.removeItem(at: directory) }
    var report = HTMLReport(sweeps: sweeps)
    report.maximumLines = 4
    let html = report.render()
    #expect(html.contains("4 of "))
    let lines = html.components(separatedBy: "<polyline class=\"pc\"").count - 1
    #expect(lines == 4)
  }

  /// The cost charts draw a sample of a big cloud (the fixture's 5 configurations, limit 4) but
  /// take the Pareto frontier from every point: the best configuration is on it.
  @Test func costChartsSampleTheirCloudButNotTheFrontier() throws {
    let (directory, sweeps) = try Self.fixture()
    defer { try? FileManager.default.removeItem(at: directory) }
    var report = HTMLReport(sweeps: sweeps)
    report.maximumLines = 4
    let html = report.render()
    #expect(html.contains("val_rmse vs parameter count (4 of 5 drawn)"))
    #expect(html.contains("val_rmse vs FLOPs per sample (4 of 5 drawn)"))
    let groups = try #require(sweeps[0].analysis.datasets.first?.groups)
    let drawn = HTMLReport.sample(groups, limit: 4, goal: .minimize) { $0.mean }
    #expect(drawn.count == 4 && drawn.contains { $0.mean == groups.map(\.mean).min() })
    #expect(HTMLReport.sample(groups, limit: 10, goal: .minimize) { $0.mean }.count == 5)
  }

  @Test func livePagesReloadAndFinalPagesDoNot() throws {
    let (directory, sweeps) = try Self.fixture()
    defer { try? FileManager.default.removeItem(at: directory) }
    var report = HTMLReport(sweeps: sweeps)
    #expect(!report.render().contains("data-reload=\""))
    report.reloadSeconds = 2
    #expect(report.render().contains("data-reload=\"2000\""))
  }
}
