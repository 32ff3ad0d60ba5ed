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
  /// The commands printed for trials (the executable as invoked, the store).
  public var commands = TrialCommands(executable: "sweep")
  /// Seconds between rewrites when `sweep report --watch` keeps the page live: the page then
  /// reloads itself at that interval and keeps its scroll position. Nil: a static page.
  public var reloadSeconds: Double?
  /// Most trial lines in a parallel-coordinates chart; bigger sweeps draw a sample (the best
  /// tenth of the lines plus an even spread of the rest). trials.csv keeps every trial.
  public var maximumLines = 1500
  /// Whether to draw the learned activations of each dataset's best KAN trial (read from its
  /// checkpoint).
  public var showsActivations = true

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
    if let reloadSeconds {
      html +=
        "<p class=\"live\" id=\"live\" data-reload=\"\(Int((reloadSeconds * 1000).rounded()))\">Live: "
        + "rewritten every \(label(reloadSeconds)) s by <code>sweep report --watch</code>; "
        + "this page reloads itself and keeps its place. Written \(Self.timestamp(Date().timeIntervalSince1970)) UTC.</p>"
    }
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
    let datasets = sweep.analysis.datasets
    html += bestTrials(datasets)
    for dataset in datasets {
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
    html += importanceChart(analysis, columns: columns)
    html += paretoChart(groups, metric: metric, maximize: maximize)
    html += flopsChart(groups, metric: metric, maximize: maximize)
    html += curves(groups, pruned: trials.filter { $0.state == .pruned }, metric: metric)
    for parameter in columns {
      html += parameterChart(trials, parameter: parameter, metric: metric)
    }
    html += kanVersusMLP(groups, metric: metric, maximize: maximize)
    if !analysis.dataset.isClassification
      && groups.contains(where: { $0.configuration.gridSchedule.count > 1 })
    {
      html += scalingChart(groups, metric: metric)
    }
    html += "</div>"
    html += fairComparison(groups, metric: metric, maximize: maximize)
    html += timingCharts(trials, columns: columns)
    html += parallelCoordinates(trials, columns: columns, metric: metric, maximize: maximize)
    if showsActivations, let best = analysis.bestKANTrial {
      html += activations(best, heading: "What the best KAN learned")
    }
    return html
  }

  func leaderboard(_ groups: [ConfigurationGroup], columns: [String], metric: String) -> String {
    // Ranked on a validation metric, each row also shows the test metric it reached.
    let test = metric.hasPrefix("val_") ? "test_" + metric.dropFirst(4) : nil
    var html = "<table class=\"sortable\"><thead><tr><th>#</th>"
    for column in columns { html += "<th>\(escape(column))</th>" }
    html += "<th>\(escape(metric)) mean ± std</th>"
    if let test { html += "<th>\(escape(test)) mean</th>" }
    html +=
      "<th>n</th><th>parameters</th><th title=\"forward FLOPs per sample, KANbeFair's counting\">FLOPs</th>"
      + "<th>s/epoch</th><th>trials</th></tr></thead><tbody>"
    for (rank, group) in groups.prefix(leaderboardRows).enumerated() {
      html += rank == 0 ? "<tr class=\"best\" title=\"best configuration\">" : "<tr>"
      html += "<td data-v=\"\(rank + 1)\">\(rank == 0 ? "★ 1" : String(rank + 1))</td>"
      for column in columns {
        let value = Self.displayValue(group.configuration, column)
        html += "<td data-v=\"\(escape(Self.sortKey(value)))\">\(escape(value))</td>"
      }
      html +=
        "<td data-v=\"\(group.mean)\">\(meanAndSpread(group.mean, group.standardDeviation, count: group.count))</td>"
      if let test {
        let values = group.trials.compactMap { $0.final(test) }.filter(\.isFinite)
        let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
        let spread = group.count > 1 ? group.standardDeviation : nil
        html +=
          "<td data-v=\"\(mean)\">\(values.isEmpty ? "" : measured(mean, std: spread))</td>"
      }
      html += "<td data-v=\"\(group.count)\">\(group.count)</td>"
      html +=
        "<td data-v=\"\(group.parameterCount ?? 0)\">\(group.parameterCount.map(String.init) ?? "")</td>"
      html += "<td data-v=\"\(group.flops ?? 0)\">\(group.flops.map(Self.flopsLabel) ?? "")</td>"
      html +=
        "<td data-v=\"\(group.secondsPerEpoch ?? 0)\">\(group.secondsPerEpoch.map(label) ?? "")</td>"
      html += "<td class=\"trials\">\(trialList(group.trials, metric: metric))</td></tr>"
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
      let cells = orders.map { order in
        sizes.map { size -> Heatmap.Cell? in
          let values = subset.filter {
            $0.configuration.splineOrder == order && $0.configuration.gridSize == size
          }
          .flatMap(\.values)
          guard !values.isEmpty else { return nil }
          let mean = values.reduce(0, +) / Double(values.count)
          let std =
            values.count > 1
            ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1))
              .squareRoot() : 0
          return Heatmap.Cell(mean: mean, std: std, count: values.count)
        }
      }
      html += Heatmap(
        title: "\(metric), hidden \(width) (mean ± seed std)", rowLabel: "spline_order",
        columnLabel: "grid_size", rows: orders.map(String.init), columns: sizes.map(String.init),
        cells: cells, higherIsBetter: maximize
      ).svg()
    }
    return html
  }

  /// The metric against parameter count, KAN and MLP as two series, with the Pareto frontier.
  func paretoChart(_ groups: [ConfigurationGroup], metric: String, maximize: Bool) -> String {
    costChart(
      groups, metric: metric, maximize: maximize, title: "\(metric) vs parameter count",
      xLabel: "parameters (log)"
    ) { group in
      group.parameterCount.map { (Double($0), "\($0) parameters") }
    }
  }

  /// The metric against forward FLOPs per sample (KANbeFair's counting), KAN and MLP as two
  /// series, with the Pareto frontier.
  func flopsChart(_ groups: [ConfigurationGroup], metric: String, maximize: Bool) -> String {
    costChart(
      groups, metric: metric, maximize: maximize, title: "\(metric) vs FLOPs per sample",
      xLabel: "forward FLOPs per sample (log, KANbeFair)"
    ) { group in
      group.flops.map { ($0, "\(Self.flopsLabel($0)) FLOPs") }
    }
  }

  /// One point per configuration at x = `cost` (log axis), y = its mean, KAN and MLP as two
  /// series, and the Pareto frontier over all of them. Above ``maximumLines`` configurations the
  /// cloud is sampled as the parallel coordinates are (the best tenth, then an even spread) and
  /// the title says so; the frontier is always computed from, and drawn with, every point.
  func costChart(
    _ groups: [ConfigurationGroup], metric: String, maximize: Bool, title: String,
    xLabel: String, cost: (ConfigurationGroup) -> (Double, String)?
  ) -> String {
    let measured = groups.compactMap { group -> (ConfigurationGroup, XYChart.Point)? in
      guard let (x, text) = cost(group), x > 0, group.mean.isFinite else { return nil }
      return (
        group,
        XYChart.Point(
          x: x, y: group.mean,
          tooltip: "\(Self.describe(group.configuration)): \(text), \(label(group.mean))")
      )
    }
    guard !measured.isEmpty else { return "" }
    let points: [XYChart.Point] = measured.map(\.1)
    let sorted = points.sorted { (a: XYChart.Point, b: XYChart.Point) -> Bool in
      if a.x != b.x { return a.x < b.x }
      return maximize ? a.y > b.y : a.y < b.y
    }
    var frontier: [XYChart.Point] = []
    for point in sorted {
      if let last = frontier.last, maximize ? point.y <= last.y : point.y >= last.y { continue }
      frontier.append(point)
    }
    let drawn = Self.sample(
      measured, limit: maximumLines, goal: maximize ? .maximize : .minimize
    ) { $0.1.y }
    var series: [XYChart.Series] = []
    for model in ModelKind.allCases {
      let points = drawn.filter { $0.0.configuration.model == model }.map(\.1)
      if !points.isEmpty {
        series.append(XYChart.Series(name: model.displayName, points: points))
      }
    }
    let note =
      drawn.count < measured.count ? " (\(drawn.count) of \(measured.count) drawn)" : ""
    return XYChart(
      title: title + note, xLabel: xLabel, yLabel: metric, series: series, logX: true,
      frontier: frontier
    ).svg()
  }

  /// At most `limit` of `items`: all of them when they fit, else the best tenth of the limit by
  /// `value` (NaN last, ties by order) and an even spread of the rest, in rank order.
  static func sample<Item>(
    _ items: [Item], limit: Int, goal: MetricGoal, value: (Item) -> Double
  ) -> [Item] {
    guard items.count > limit, limit > 0 else { return items }
    let ranked = items.indices.sorted { a, b in
      let (x, y) = (value(items[a]), value(items[b]))
      if x.isNaN != y.isNaN { return y.isNaN }
      return x == y || x.isNaN ? a < b : goal.isBetter(x, than: y)
    }
    let head = limit / 10
    let rest = ranked.dropFirst(head)
    let stride = Double(rest.count) / Double(limit - head)
    let chosen =
      Array(ranked.prefix(head))
      + (0..<(limit - head)).map { rest[rest.startIndex + Int(Double($0) * stride)] }
    return chosen.map { items[$0] }
  }

  /// "KAN vs MLP at equal parameters (or FLOPs)": each MLP configuration with `match` beside
  /// its KAN twin (the same configuration with `model: kan`), with the difference of the means.
  func fairComparison(_ groups: [ConfigurationGroup], metric: String, maximize: Bool) -> String {
    func twinKey(_ configuration: TrainingConfiguration) -> TrainingConfiguration {
      var key = configuration
      key.model = .kan
      key.match = .none
      key.seed = 0
      return key
    }
    var kanGroups: [TrainingConfiguration: ConfigurationGroup] = [:]
    for group in groups where group.configuration.model == .kan {
      kanGroups[twinKey(group.configuration)] = group
    }
    let pairs = groups.filter { $0.configuration.model == .mlp && $0.configuration.match != .none }
      .compactMap { mlp in kanGroups[twinKey(mlp.configuration)].map { (kan: $0, mlp: mlp) } }
    guard !pairs.isEmpty else { return "" }
    let matches = Set(pairs.map(\.mlp.configuration.match.rawValue)).sorted().joined(
      separator: " and ")
    var html = "<h4>KAN vs MLP at equal \(escape(matches))</h4>"
    html += "<table class=\"sortable\"><thead><tr><th>KAN</th><th>parameters</th><th>FLOPs</th>"
    html += "<th>\(escape(metric))</th><th>MLP</th><th>parameters</th><th>FLOPs</th>"
    html += "<th>\(escape(metric))</th><th>KAN − MLP</th><th>better</th></tr></thead><tbody>"
    for (kan, mlp) in pairs {
      let difference = kan.mean - mlp.mean
      let kanWins = maximize ? difference > 0 : difference < 0
      let spread =
        (kan.standardDeviation * kan.standardDeviation / Double(max(kan.count, 1))
        + mlp.standardDeviation * mlp.standardDeviation / Double(max(mlp.count, 1))).squareRoot()
      let verdict =
        spread > 0 && abs(difference) <= spread ? "within noise" : (kanWins ? "KAN" : "MLP")
      html += "<tr>"
      for group in [kan, mlp] {
        html += "<td>\(escape(Self.describe(group.configuration)))</td>"
        html +=
          "<td data-v=\"\(group.parameterCount ?? 0)\">\(group.parameterCount.map(String.init) ?? "")</td>"
        html += "<td data-v=\"\(group.flops ?? 0)\">\(group.flops.map(Self.flopsLabel) ?? "")</td>"
        html +=
          "<td data-v=\"\(group.mean)\">\(meanAndSpread(group.mean, group.standardDeviation, count: group.count))</td>"
      }
      html += "<td data-v=\"\(difference)\">\(label(difference))</td><td>\(verdict)</td></tr>"
    }
    html += "</tbody></table>"
    html +=
      "<p class=\"note\">Each MLP's hidden widths are its hidden_layers scaled by one factor so that "
      + "its \(escape(matches)) come closest to the KAN's (FLOPs: forward, per sample, counted as "
      + "KANbeFair does). \"within noise\": the difference is within one standard error of the "
      + "two means.</p>"
    return html
  }

  /// FLOPs as `1.23e6` (three significant digits).
  static func flopsLabel(_ flops: Double) -> String {
    flops < 1e4 ? String(format: "%.0f", flops) : String(format: "%.3g", flops)
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

  /// `value` of `trials` summarized along `parameter`: one point per distinct value (mean ± std
  /// over the trials), or with more than 40 distinct numbers one point per bin of 20 (on a log
  /// scale when all are positive and span a factor of 50), at the bin's mean position.
  struct ParameterSeries {
    var points: [XYChart.Point]
    var tickLabels: [Double: String]?
    var logX: Bool
    var connect: Bool
  }

  func summarize(
    _ trials: [TrialResult], parameter: String, what: String, value: (TrialResult) -> Double?
  ) -> ParameterSeries? {
    var pairs: [(key: String, value: Double)] = []
    for trial in trials {
      let key = Self.displayValue(trial.configuration, parameter)
      guard key != "—", let value = value(trial), value.isFinite else { continue }
      pairs.append((key, value))
    }
    let distinct = Array(Set(pairs.map(\.key)))
    guard distinct.count > 1 else { return nil }
    let numeric = distinct.allSatisfy { Double($0) != nil }
    let keys =
      numeric
      ? distinct.map { ($0, Double($0) ?? 0) }.sorted { $0.1 < $1.1 }.map(\.0) : distinct.sorted()
    let numbers = keys.compactMap(Double.init)
    let positive = numeric && (numbers.min() ?? 0) > 0
    let logX = positive && (numbers.max() ?? 1) / (numbers.min() ?? 1) >= 50
    func point(_ x: Double, _ values: [Double], _ text: String) -> XYChart.Point {
      let mean = values.reduce(0, +) / Double(values.count)
      let deviation =
        values.count > 1
        ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1))
          .squareRoot() : 0
      return XYChart.Point(
        x: x, y: mean, error: deviation,
        tooltip:
          "\(parameter) \(text): \(what) \(meanAndSpread(mean, deviation, count: values.count)) (n=\(values.count))"
      )
    }
    if numeric && keys.count > 40 {
      let position = { (x: Double) in logX ? log10(x) : x }
      let xs = pairs.compactMap { Double($0.key) }
      let (low, high) = (position(xs.min() ?? 0), position(xs.max() ?? 1))
      let bins = 20
      var members = [[(x: Double, y: Double)]](repeating: [], count: bins)
      for (key, value) in pairs {
        guard let x = Double(key) else { continue }
        let t = high > low ? (position(x) - low) / (high - low) : 0
        members[min(bins - 1, Int(t * Double(bins)))].append((x, value))
      }
      let points = members.filter { !$0.isEmpty }.map { bin -> XYChart.Point in
        let x = bin.map(\.x).reduce(0, +) / Double(bin.count)
        let range = "\(label(bin.map(\.x).min() ?? 0))…\(label(bin.map(\.x).max() ?? 0))"
        return point(x, bin.map(\.y), range)
      }
      return ParameterSeries(points: points, tickLabels: nil, logX: logX, connect: true)
    }
    var byKey: [String: [Double]] = [:]
    for (key, value) in pairs { byKey[key, default: []].append(value) }
    var tickLabels: [Double: String] = [:]
    let points = keys.enumerated().map { index, key -> XYChart.Point in
      let x = numeric ? (Double(key) ?? 0) : Double(index)
      tickLabels[x] = key
      return point(x, byKey[key] ?? [], key)
    }
    return ParameterSeries(
      points: points, tickLabels: logX ? nil : tickLabels, logX: logX, connect: numeric)
  }

  func parameterChart(_ trials: [TrialResult], parameter: String, metric: String) -> String {
    let done = trials.filter { $0.state == .completed }
    guard
      let series = summarize(done, parameter: parameter, what: metric, value: { $0.final(metric) })
    else { return "" }
    return XYChart(
      title: "\(metric) by \(parameter)", xLabel: parameter, yLabel: "\(metric) (mean ± std)",
      series: [.init(name: parameter, points: series.points, connect: series.connect)],
      logX: series.logX, xTickLabels: series.tickLabels
    ).svg()
  }

  /// Seconds per epoch against every swept parameter, one series per model kind.
  func timingCharts(_ trials: [TrialResult], columns: [String]) -> String {
    var html = ""
    for parameter in columns where parameter != "model" {
      var series: [XYChart.Series] = []
      var ticks: [Double: String] = [:]
      var logX = false
      for model in ModelKind.allCases {
        let subset = trials.filter { $0.configuration.model == model }
        guard
          let summary = summarize(
            subset, parameter: parameter, what: "s/epoch", value: { $0.mean("epoch_seconds") })
        else { continue }
        series.append(
          .init(
            name: model.displayName, points: summary.points, connect: summary.connect))
        ticks.merge(summary.tickLabels ?? [:]) { a, _ in a }
        logX = logX || summary.logX
      }
      guard !series.isEmpty else { continue }
      html += XYChart(
        title: "seconds per epoch by \(parameter)", xLabel: parameter, yLabel: "s/epoch",
        series: series, logX: logX, xTickLabels: logX || ticks.isEmpty ? nil : ticks
      ).svg()
    }
    return html.isEmpty ? "" : "<div class=\"charts\">\(html)</div>"
  }

  /// Mean ± seed std per configuration against parameters, KAN and MLP as two series (sampled
  /// as ``costChart(_:metric:maximize:title:xLabel:cost:)`` samples).
  func kanVersusMLP(_ groups: [ConfigurationGroup], metric: String, maximize: Bool) -> String {
    let models = Set(groups.map(\.configuration.model))
    guard models.count > 1 else { return "" }
    let drawn = Self.sample(groups, limit: maximumLines, goal: maximize ? .maximize : .minimize) {
      $0.mean
    }
    let note = drawn.count < groups.count ? " (\(drawn.count) of \(groups.count) drawn)" : ""
    let kinds = ModelKind.allCases.filter { model in
      model != .convKAN || groups.contains { $0.configuration.model == model }
    }
    let series = kinds.map { model in
      XYChart.Series(
        name: model.displayName,
        points: drawn.filter { $0.configuration.model == model }.compactMap { group in
          group.parameterCount.map {
            XYChart.Point(
              x: Double($0), y: group.mean, error: group.standardDeviation,
              tooltip: "\(Self.describe(group.configuration)): \(label(group.mean))")
          }
        })
    }
    return XYChart(
      title: "KAN vs MLP" + note, xLabel: "parameters (log)", yLabel: metric, series: series,
      logX: true
    ).svg()
  }

  /// The KAN paper's scaling plot: the metric against parameters on log-log axes, one curve per
  /// grid-extended KAN configuration (a point per grid) plus pooled fixed-grid KANs and MLPs, each
  /// with its fitted slope (dashed) over the points up to its lowest.
  func scalingChart(_ groups: [ConfigurationGroup], metric: String) -> String {
    let curves = ScalingCurve.curves(groups, metric: metric)
    guard curves.contains(where: { $0.slope != nil }) else { return "" }
    var series: [XYChart.Series] = []
    for curve in curves {
      let slope = curve.slope.map { " · slope " + String(format: "%.2f", $0) } ?? ""
      let color = palette[series.count % palette.count]
      series.append(
        XYChart.Series(
          name: curve.label + slope,
          points: curve.points.map { point in
            XYChart.Point(
              x: Double(point.parameters), y: point.value,
              tooltip: "\(curve.label)\(point.gridSize.map { " G \($0)" } ?? ""): "
                + "\(point.parameters) parameters, \(metric) \(label(point.value))")
          }, connect: true, color: color))
      if let fit = curve.fit {
        let fitted = curve.points.prefix(curve.fittedCount)
        let ends = [fitted.first, fitted.last].compactMap { $0 }.map { point in
          let x = Double(point.parameters)
          return XYChart.Point(x: x, y: pow(10, fit.intercept + fit.slope * log10(x)))
        }
        series.append(
          XYChart.Series(
            name: "fit", points: ends, color: color, inLegend: false, dashed: true))
      }
    }
    var chart = XYChart(
      title: "scaling: \(metric) vs parameters", xLabel: "parameters (log)",
      yLabel: "\(metric) (log)", series: series, logX: true)
    chart.logY = true
    chart.width = 560
    chart.legendWidth = 220
    return chart.svg()
  }

  /// Every completed trial as a line across the swept parameters and the metric. With KANs and
  /// MLPs together, a `model` axis comes first and MLP lines skip the KAN-only axes (dashed).
  /// Above ``maximumLines`` trials a sample is drawn: the best tenth, then an even spread.
  func parallelCoordinates(
    _ trials: [TrialResult], columns: [String], metric: String, maximize: Bool
  )
    -> String
  {
    var done = trials.filter { $0.state == .completed && $0.final(metric) != nil }
      .sorted { $0.number < $1.number }
    guard !columns.isEmpty, done.count > 1 else { return "" }
    let total = done.count
    done = Self.sample(done, limit: maximumLines, goal: maximize ? .maximize : .minimize) {
      $0.final(metric) ?? .nan
    }
    let mixed = Set(done.map(\.configuration.model)).count > 1
    var ordered = columns
    if mixed {
      ordered.removeAll { $0 == "model" }
      ordered.insert("model", at: 0)
    }
    var axes: [ParallelCoordinates.Axis] = []
    for column in ordered {
      let texts = done.map { Self.displayValue($0.configuration, column) }
      if texts.allSatisfy({ Double($0) != nil || $0 == "—" }) {
        axes.append(.init(name: column, values: texts.map { Double($0) ?? .nan }))
      } else {
        let categories = Array(Set(texts.filter { $0 != "—" }))
          .sorted { Self.sortKey($0) < Self.sortKey($1) }
        let index = Dictionary(
          uniqueKeysWithValues: categories.enumerated().map { ($1, Double($0)) })
        axes.append(
          .init(name: column, values: texts.map { index[$0] ?? .nan }, categories: categories))
      }
    }
    let metricValues = done.map { $0.final(metric) ?? .nan }
    axes.append(.init(name: metric, values: metricValues))
    let sampled = done.count < total
    return "<div class=\"wide\">"
      + ParallelCoordinates(
        title: "completed trials (\(total))", axes: axes, metricName: metric,
        metric: metricValues, higherIsBetter: maximize,
        dashed: done.map { $0.configuration.model == .mlp },
        note: (sampled
          ? "\(done.count) of \(total) lines: the best tenth and an even spread. " : "")
          + (mixed ? "MLPs dashed, passing the KAN-only axes by." : "")
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
    if configuration.model == .convKAN {
      let channels = configuration.convChannels.map(String.init).joined(separator: "-")
      let strides = configuration.convStrides.map(String.init).joined(separator: "-")
      return "ConvKAN [\(channels)] k\(configuration.kernelSize)×\(configuration.kernelSize) "
        + "s\(strides) G\(configuration.gridSize)"
    }
    let width = configuration.networkHiddenLayers.map(String.init).joined(separator: "-")
    if configuration.model == .mlp {
      return "MLP [\(width)]"
        + (configuration.match == .none ? "" : " (\(configuration.match) of KAN)")
    }
    switch configuration.basis {
    case .bspline:
      return "KAN [\(width)] G\(configuration.gridSize) k\(configuration.splineOrder)"
    case .rbf: return "FastKAN [\(width)] RBF×\(configuration.gridSize)"
    case .chebyshev: return "ChebyKAN [\(width)] degree \(configuration.degree)"
    }
  }

  /// A parameter's value for display: "—" for a parameter the trial's model does not use
  /// (KAN-only parameters of an MLP, convolution parameters of other models, hidden widths of a
  /// conv_kan).
  static func displayValue(_ configuration: TrainingConfiguration, _ name: String) -> String {
    guard configuration.uses(parameter: name) else { return "—" }
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
    .hs{font-size:9px;text-anchor:middle;fill:#333}.cellbox{fill:#fcfcfc;stroke:#eee}.wide-ish{width:540px}.square{width:300px}
    .bestbox{background:#e8f5e9;border:1px solid #b7dfb9;border-radius:4px;padding:6px 10px;margin:8px 0}.bestbox ul{margin:4px 0;padding-left:18px}
    .cmd{display:block;text-align:left;margin:2px 0}.cmd code{font-size:11px;white-space:pre-wrap;word-break:break-all;color:#333}
    button.copy{font-size:11px;margin-right:6px;padding:0 6px;cursor:pointer}td.trials{text-align:left}
    table.inner{display:table;font-size:12px;margin:4px 0}table.inner td{text-align:left;white-space:normal}td.cmds{max-width:70ch}
    .live{background:#e3f2fd;margin:0;padding:4px 20px;font-size:12px}h4{margin:14px 0 4px}
    """

  static let script = """
    (function(){document.querySelectorAll('table.sortable').forEach(function(t){
    t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
    var rows=Array.prototype.slice.call(t.tBodies[0].rows);var asc=th.getAttribute('data-asc')!=='1';
    th.setAttribute('data-asc',asc?'1':'0');rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v'),
    y=b.cells[i].getAttribute('data-v');var nx=parseFloat(x),ny=parseFloat(y);
    var c=(isNaN(nx)||isNaN(ny))?String(x).localeCompare(String(y)):nx-ny;return asc?c:-c;});
    rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});
    document.querySelectorAll('button.copy').forEach(function(b){var name=b.textContent;
    b.addEventListener('click',function(){var text=b.getAttribute('data-copy');
    function done(){b.textContent='copied';setTimeout(function(){b.textContent=name;},1500);}
    function fallback(){var t=document.createElement('textarea');t.value=text;t.style.position='fixed';
    t.style.opacity='0';document.body.appendChild(t);t.select();try{document.execCommand('copy');done();}
    catch(e){}document.body.removeChild(t);}
    if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,fallback);}
    else{fallback();}});});
    var live=document.getElementById('live');if(live){var key='kan-sweep-scroll:'+location.pathname;
    var m=/[#&]y=(\\d+)/.exec(location.hash);var y=m?+m[1]:null;
    try{var s=sessionStorage.getItem(key);if(y===null&&s!==null){y=+s;}}catch(e){}
    if(y!==null){window.scrollTo(0,y);}
    document.body.setAttribute('data-scroll',String(Math.round(window.scrollY)));
    var n=/[#&]n=(\\d+)/.exec(location.hash);var loads=(n?+n[1]:0)+1;
    document.body.setAttribute('data-loads',String(loads));
    setTimeout(function(){var at=Math.round(window.scrollY);try{sessionStorage.setItem(key,String(at));}catch(e){}
    history.replaceState(null,'','#y='+at+'&n='+loads);location.reload();},+live.getAttribute('data-reload'));}
    document.body.setAttribute('data-ready','1');})();
    """
}
