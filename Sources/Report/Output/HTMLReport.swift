import Foundation
import KANLib
import Sweep

/// The self-contained `index.html`: header, leaderboards, SVG charts, failures.
///
/// No external scripts, styles, fonts or images: it opens offline and from file://. Every
/// string from users or the store is escaped.
public struct HTMLReport {
  /// The sweeps, shown side by side.
  public let sweeps: [SweepResults]
  /// Rows per leaderboard.
  public var leaderboardRows = 40
  /// Configurations in the learning-curve charts.
  public var curveCount = 5

  /// Creates a report of `sweeps`.
  public init(sweeps: [SweepResults]) {
    self.sweeps = sweeps
  }

  /// The page.
  public func render() -> String {
    var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    html +=
      "<title>kan-sweep report: \(escape(sweeps.map(\.record.name).joined(separator: ", ")))</title>"
    html += "<style>\(Self.style)</style></head><body>"
    html += "<header><h1>kan-sweep report</h1><p>\(sweeps.count) sweep(s): "
    html +=
      sweeps.map { "<b>\(escape($0.record.name))</b>" }.joined(separator: ", ") + "</p></header>"
    html += "<main class=\"cols-\(min(sweeps.count, 3))\">"
    for sweep in sweeps { html += section(sweep) }
    html += "</main><script>\(Self.script)</script></body></html>\n"
    return html
  }

  func section(_ sweep: SweepResults) -> String {
    let record = sweep.record
    let counts = sweep.counts
    var html = "<section class=\"sweep\"><h2>\(escape(record.name))</h2>"
    if !record.description.isEmpty { html += "<p class=\"desc\">\(escape(record.description))</p>" }
    html += "<p class=\"counts\">"
    for state in TrialState.allCases {
      html +=
        "<span class=\"badge \(state.rawValue)\">\(counts[state] ?? 0) \(state.rawValue)</span> "
    }
    html += "</p>"
    let starts = sweep.trials.compactMap(\.startedAt)
    let ends = sweep.trials.compactMap(\.finishedAt)
    if let first = starts.min(), let last = ends.max() {
      html +=
        "<p>Time span: \(Self.timestamp(first)) → \(Self.timestamp(last)) UTC (\(Self.duration(last - first)))</p>"
    }
    if (counts[.queued] ?? 0) + (counts[.running] ?? 0) > 0 {
      html +=
        "<p class=\"progress\">In progress: \(counts[.running] ?? 0) running, \(counts[.queued] ?? 0) queued. This report shows the trials finished so far.</p>"
    }
    if !sweep.environments.isEmpty {
      html += "<details><summary>Environment (\(sweep.environments.count))</summary><ul>"
      for line in sweep.environments.prefix(20) { html += "<li>\(escape(line))</li>" }
      html += "</ul></details>"
    }
    for dataset in sweep.analysis.datasets {
      html += datasetSection(sweep, dataset)
    }
    html += failures(sweep)
    return html + "</section>"
  }

  func datasetSection(_ sweep: SweepResults, _ analysis: SweepAnalysis.Dataset) -> String {
    let (trials, metric, groups) = (analysis.trials, analysis.metric, analysis.groups)
    let maximize = analysis.goal == .maximize
    var html =
      "<h3>\(escape(analysis.dataset.rawValue)) — \(escape(metric)) (\(maximize ? "higher" : "lower") is better)</h3>"
    guard !groups.isEmpty else { return html + "<p>No completed trials yet.</p>" }
    let columns = sweep.sweptParameters.filter { $0 != "dataset" }
    html += leaderboard(groups, columns: columns, metric: metric)
    html += "<div class=\"charts\">"
    html += heatmaps(groups, metric: metric, maximize: maximize)
    html += paretoChart(groups, metric: metric, maximize: maximize)
    html += curves(groups, pruned: trials.filter { $0.state == .pruned }, metric: metric)
    for parameter in columns {
      html += parameterChart(trials, parameter: parameter, metric: metric)
    }
    html += timingChart(trials)
    html += kanVersusMLP(groups, metric: metric)
    html += "</div>"
    html += parallelCoordinates(trials, columns: columns, metric: metric, maximize: maximize)
    return html
  }

  func leaderboard(_ groups: [ConfigurationGroup], columns: [String], metric: String) -> String {
    // Ranked on a validation metric, each row also shows the test metric it reached.
    let test = metric.hasPrefix("val_") ? "test_" + metric.dropFirst(4) : nil
    var html = "<table class=\"sortable\"><thead><tr><th>#</th>"
    for column in columns { html += "<th>\(escape(column))</th>" }
    html += "<th>\(escape(metric)) mean ± std</th>"
    if let test { html += "<th>\(escape(test)) mean</th>" }
    html += "<th>n</th><th>parameters</th><th>s/epoch</th></tr></thead><tbody>"
    for (rank, group) in groups.prefix(leaderboardRows).enumerated() {
      html += rank == 0 ? "<tr class=\"best\" title=\"best configuration\">" : "<tr>"
      html += "<td data-v=\"\(rank + 1)\">\(rank == 0 ? "★ 1" : String(rank + 1))</td>"
      for column in columns {
        let value = Self.displayValue(group.configuration, column)
        html += "<td data-v=\"\(escape(Self.sortKey(value)))\">\(escape(value))</td>"
      }
      html +=
        "<td data-v=\"\(group.mean)\">\(label(group.mean)) ± \(label(group.standardDeviation))</td>"
      if let test {
        let values = group.trials.compactMap { $0.final(test) }.filter(\.isFinite)
        let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
        html += "<td data-v=\"\(mean)\">\(values.isEmpty ? "" : label(mean))</td>"
      }
      html += "<td data-v=\"\(group.count)\">\(group.count)</td>"
      html +=
        "<td data-v=\"\(group.parameterCount ?? 0)\">\(group.parameterCount.map(String.init) ?? "")</td>"
      html +=
        "<td data-v=\"\(group.secondsPerEpoch ?? 0)\">\(group.secondsPerEpoch.map(label) ?? "")</td></tr>"
    }
    html += "</tbody></table>"
    if groups.count > leaderboardRows {
      html +=
        "<p class=\"note\">Top \(leaderboardRows) of \(groups.count) configurations; trials.csv has them all.</p>"
    }
    return html
  }

  func heatmaps(_ groups: [ConfigurationGroup], metric: String, maximize: Bool) -> String {
    let kan = groups.filter { $0.configuration.model == .kan }
    var widths: [[Int]] = []
    for group in kan where !widths.contains(group.configuration.hiddenLayers) {
      widths.append(group.configuration.hiddenLayers)
    }
    var html = ""
    for width in widths {
      let subset = kan.filter { $0.configuration.hiddenLayers == width }
      let orders = Array(Set(subset.map(\.configuration.splineOrder))).sorted()
      let sizes = Array(Set(subset.map(\.configuration.gridSize))).sorted()
      guard orders.count * sizes.count > 1 else { continue }
      let values = orders.map { order in
        sizes.map { size -> Double? in
          let cell = subset.filter {
            $0.configuration.splineOrder == order && $0.configuration.gridSize == size
          }
          .flatMap(\.values)
          return cell.isEmpty ? nil : cell.reduce(0, +) / Double(cell.count)
        }
      }
      html += Heatmap(
        title: "\(metric), hidden \(width)", rowLabel: "spline_order", columnLabel: "grid_size",
        rows: orders.map(String.init), columns: sizes.map(String.init), values: values,
        higherIsBetter: maximize
      ).svg()
    }
    return html
  }

  func paretoChart(_ groups: [ConfigurationGroup], metric: String, maximize: Bool) -> String {
    let points = groups.compactMap { group -> XYChart.Point? in
      guard let count = group.parameterCount else { return nil }
      return XYChart.Point(
        x: Double(count), y: group.mean,
        tooltip: "\(Self.describe(group.configuration)): \(label(group.mean))")
    }
    guard !points.isEmpty else { return "" }
    var frontier: [XYChart.Point] = []
    for point in points.sorted(by: {
      $0.x == $1.x ? (maximize ? $0.y > $1.y : $0.y < $1.y) : $0.x < $1.x
    }) {
      if let last = frontier.last, maximize ? point.y <= last.y : point.y >= last.y { continue }
      frontier.append(point)
    }
    return XYChart(
      title: "\(metric) vs parameter count", xLabel: "parameters (log)", yLabel: metric,
      series: [.init(name: "configurations", points: points)], logX: true, frontier: frontier
    ).svg()
  }

  /// The top configurations' mean curves, and the pruned trials' curves in grey (up to 30).
  func curves(_ groups: [ConfigurationGroup], pruned: [TrialResult], metric: String) -> String {
    func points(_ curve: [Double?], _ label: String) -> [XYChart.Point] {
      curve.enumerated().compactMap { epoch, value -> XYChart.Point? in
        guard let value, value.isFinite else { return nil }
        return XYChart.Point(
          x: Double(epoch + 1), y: value,
          tooltip: "\(label)epoch \(epoch + 1): \(Report.label(value))")
      }
    }
    let top = groups.prefix(curveCount).map { group in
      XYChart.Series(
        name: Self.describe(group.configuration), points: points(group.curve.map { $0 }, ""),
        connect: true)
    }
    let grey = pruned.prefix(30).enumerated().map { index, trial in
      XYChart.Series(
        name: "pruned (\(pruned.count))",
        points: points(trial.metrics[metric] ?? [], "trial \(trial.number), pruned: "),
        connect: true, color: "#b0b0b0", inLegend: index == 0)
    }
    let series = Array(grey) + Array(top)
    guard series.contains(where: { $0.points.count > 1 }) else { return "" }
    return XYChart(
      title: "learning curves of the top \(top.count)" + (grey.isEmpty ? "" : " and pruned trials"),
      xLabel: "epoch", yLabel: metric, series: series
    ).svg()
  }

  func parameterChart(_ trials: [TrialResult], parameter: String, metric: String) -> String {
    var byValue: [String: [Double]] = [:]
    for trial in trials where trial.state == .completed {
      let key = Self.displayValue(trial.configuration, parameter)
      guard let value = trial.final(metric), value.isFinite, key != "—" else { continue }
      byValue[key, default: []].append(value)
    }
    guard byValue.count > 1 else { return "" }
    let keys = byValue.keys.sorted { Self.sortKey($0) < Self.sortKey($1) }
    let numeric = keys.allSatisfy { Double($0) != nil }
    var tickLabels: [Double: String] = [:]
    let points = keys.enumerated().map { index, key -> XYChart.Point in
      let values = byValue[key] ?? []
      let mean = values.reduce(0, +) / Double(values.count)
      let deviation =
        values.count > 1
        ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1))
          .squareRoot() : 0
      let x = numeric ? (Double(key) ?? 0) : Double(index)
      tickLabels[x] = key
      return XYChart.Point(
        x: x, y: mean, error: deviation,
        tooltip: "\(parameter) \(key): \(label(mean)) ± \(label(deviation)) (n=\(values.count))")
    }
    let positive = numeric && points.allSatisfy { $0.x > 0 }
    let spread = (points.map(\.x).max() ?? 1) / max(points.map(\.x).min() ?? 1, 1e-300)
    return XYChart(
      title: "\(metric) by \(parameter)", xLabel: parameter, yLabel: "\(metric) (mean ± std)",
      series: [.init(name: parameter, points: points, connect: numeric)],
      logX: positive && spread >= 50,
      xTickLabels: numeric && !(positive && spread >= 50)
        ? tickLabels : (numeric ? nil : tickLabels)
    ).svg()
  }

  func timingChart(_ trials: [TrialResult]) -> String {
    var byGrid: [Int: [Double]] = [:]
    for trial in trials where trial.configuration.model == .kan {
      if let seconds = trial.mean("epoch_seconds") {
        byGrid[trial.configuration.gridSize, default: []].append(seconds)
      }
    }
    guard byGrid.count > 1 else { return "" }
    let points = byGrid.keys.sorted().map { size -> XYChart.Point in
      let values = byGrid[size] ?? []
      let mean = values.reduce(0, +) / Double(values.count)
      return XYChart.Point(
        x: Double(size), y: mean, tooltip: "grid_size \(size): \(label(mean)) s/epoch")
    }
    return XYChart(
      title: "seconds per epoch vs grid_size (KAN)", xLabel: "grid_size", yLabel: "s/epoch",
      series: [.init(name: "KAN", points: points, connect: true)],
      xTickLabels: Dictionary(uniqueKeysWithValues: points.map { ($0.x, label($0.x)) })
    ).svg()
  }

  func kanVersusMLP(_ groups: [ConfigurationGroup], metric: String) -> String {
    let models = Set(groups.map(\.configuration.model))
    guard models.count > 1 else { return "" }
    let series = [ModelKind.kan, .mlp].map { model in
      XYChart.Series(
        name: model.rawValue.uppercased(),
        points: groups.filter { $0.configuration.model == model }.compactMap { group in
          group.parameterCount.map {
            XYChart.Point(
              x: Double($0), y: group.mean, error: group.standardDeviation,
              tooltip: "\(Self.describe(group.configuration)): \(label(group.mean))")
          }
        })
    }
    return XYChart(
      title: "KAN vs MLP", xLabel: "parameters (log)", yLabel: metric, series: series, logX: true
    ).svg()
  }

  func parallelCoordinates(
    _ trials: [TrialResult], columns: [String], metric: String, maximize: Bool
  )
    -> String
  {
    let done = trials.filter { $0.state == .completed && $0.final(metric) != nil }
    guard !columns.isEmpty, done.count > 1 else { return "" }
    var axes: [ParallelCoordinates.Axis] = []
    for column in columns {
      let texts = done.map { Self.displayValue($0.configuration, column) }
      if texts.allSatisfy({ Double($0) != nil || $0 == "—" }) {
        axes.append(.init(name: column, values: texts.map { Double($0) ?? .nan }))
      } else {
        let categories = Array(Set(texts)).sorted { Self.sortKey($0) < Self.sortKey($1) }
        let index = Dictionary(
          uniqueKeysWithValues: categories.enumerated().map { ($1, Double($0)) })
        axes.append(
          .init(name: column, values: texts.map { index[$0] ?? 0 }, categories: categories))
      }
    }
    let metricValues = done.map { $0.final(metric) ?? .nan }
    axes.append(.init(name: metric, values: metricValues))
    return "<div class=\"wide\">"
      + ParallelCoordinates(
        title: "all completed trials (\(done.count))", axes: axes, metricName: metric,
        metric: metricValues,
        higherIsBetter: maximize
      ).svg() + "</div>"
  }

  func failures(_ sweep: SweepResults) -> String {
    let failed = sweep.trials.filter { $0.state == .failed }
    guard !failed.isEmpty else { return "" }
    var html =
      "<h3>Failed trials (\(failed.count))</h3><table><thead><tr><th>#</th><th>state</th><th>configuration</th><th>error</th></tr></thead><tbody>"
    for trial in failed.prefix(200) {
      html +=
        "<tr><td>\(trial.number)</td><td>\(trial.state.rawValue)</td><td>\(escape(Self.describe(trial.configuration))) seed \(trial.seed)</td>"
      html += "<td><pre>\(escape(trial.error ?? ""))</pre></td></tr>"
    }
    html += "</tbody></table>"
    if failed.count > 200 {
      html += "<p class=\"note\">First 200 of \(failed.count); trials.csv has every error.</p>"
    }
    return html
  }

  /// A short description of a configuration.
  static func describe(_ configuration: TrainingConfiguration) -> String {
    let width = configuration.hiddenLayers.map(String.init).joined(separator: "-")
    if configuration.model == .mlp { return "MLP [\(width)]" }
    return "KAN [\(width)] G\(configuration.gridSize) k\(configuration.splineOrder)"
  }

  /// A parameter's value for display: "—" for KAN-only parameters of an MLP.
  static func displayValue(_ configuration: TrainingConfiguration, _ name: String) -> String {
    if configuration.model == .mlp && TrainingParameter.named(name)?.kanOnly == true {
      return "—"
    }
    return configuration.value(of: name)
  }

  /// Numbers sort numerically, text alphabetically.
  static func sortKey(_ text: String) -> String {
    if let value = Double(text) { return String(format: "%020.6f", value + 1e12) }
    return text
  }

  static func timestamp(_ seconds: Double) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: Date(timeIntervalSince1970: seconds))
  }

  static func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return total >= 3600
      ? "\(total / 3600) h \(total % 3600 / 60) min"
      : (total >= 60 ? "\(total / 60) min \(total % 60) s" : "\(total) s")
  }

  static let style = """
    body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
    header{padding:12px 20px;background:#1f2d3d;color:#fff}header h1{margin:0;font-size:20px}header p{margin:4px 0 0}
    main{display:grid;gap:16px;padding:16px}main.cols-2{grid-template-columns:1fr 1fr}main.cols-3{grid-template-columns:1fr 1fr 1fr}
    section.sweep{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;min-width:0}
    h2{margin:4px 0}h3{margin:18px 0 6px;border-bottom:1px solid #eee}.desc{color:#555}
    .badge{display:inline-block;padding:1px 8px;border-radius:10px;background:#eee;margin-right:4px}
    .badge.completed{background:#d4edda}.badge.failed{background:#f8d7da}.badge.running{background:#fff3cd}.badge.queued{background:#e2e3e5}
    .progress{background:#fff3cd;padding:4px 8px;border-radius:4px}
    table{border-collapse:collapse;font-size:13px;margin:6px 0;max-width:100%;display:block;overflow-x:auto}
    th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:right;white-space:nowrap}
    th{cursor:pointer;background:#f3f3f3;position:sticky;top:0}tr.best td{background:#e8f5e9;font-weight:600}
    td pre{margin:0;white-space:pre-wrap;text-align:left;max-width:60ch;font-size:12px}
    .charts{display:flex;flex-wrap:wrap;gap:10px}.chart{width:440px;max-width:100%;height:auto;background:#fff;border:1px solid #eee}
    .wide .chart{width:100%;max-width:1100px}.note{color:#666;font-size:12px}
    .ct{font-size:13px;font-weight:600;text-anchor:middle}.ax{stroke:#444}.gr{stroke:#eee}
    .tx{font-size:10px;text-anchor:middle}.ty{font-size:10px;text-anchor:end}.al{font-size:11px;text-anchor:middle;fill:#333}
    .lg{font-size:10px}.hv{font-size:10px;text-anchor:middle}.pt{font-size:9px;fill:#555}.empty{fill:#f4f4f4}
    .pareto{fill:none;stroke:#D55E00;stroke-dasharray:4 3;stroke-width:1.5}.pc{fill:none;stroke-opacity:.35;stroke-width:1}
    """

  static let script = """
    (function(){document.querySelectorAll('table.sortable').forEach(function(t){
    t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
    var rows=Array.prototype.slice.call(t.tBodies[0].rows);var asc=th.getAttribute('data-asc')!=='1';
    th.setAttribute('data-asc',asc?'1':'0');rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v'),
    y=b.cells[i].getAttribute('data-v');var nx=parseFloat(x),ny=parseFloat(y);
    var c=(isNaN(nx)||isNaN(ny))?String(x).localeCompare(String(y)):nx-ny;return asc?c:-c;});
    rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});
    document.body.setAttribute('data-ready','1');})();
    """
}
