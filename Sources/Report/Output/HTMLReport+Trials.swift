import Foundation
import KANLib
import Sweep

/// From a row to a trial: the best trial of each dataset, each configuration's trials with the
/// commands that rerun and reproduce them, what mattered, and what the KAN learned.
extension HTMLReport {
  /// The best trial of each dataset, named at the top of a sweep's section.
  func bestTrials(_ datasets: [SweepAnalysis.Dataset]) -> String {
    let found = datasets.compactMap { dataset in
      dataset.bestTrial.map { (dataset, $0.trial, $0.value) }
    }
    guard !found.isEmpty else { return "" }
    var html = "<div class=\"bestbox\"><b>Best trial per dataset</b><ul>"
    for (dataset, trial, value) in found {
      let spread = dataset.best.map { $0.count > 1 ? $0.standardDeviation : nil } ?? nil
      html +=
        "<li><b>\(escape(dataset.dataset.rawValue))</b>: trial <b>#\(trial.number)</b> "
        + "(seed \(trial.seed)), \(escape(dataset.metric)) \(measured(value, std: spread)) — "
        + "\(escape(Self.describe(trial.configuration)))<br>"
        + commandLines(trial) + "</li>"
    }
    return html + "</ul></div>"
  }

  /// The trials of one leaderboard row: number, seed, state, metric and the commands.
  func trialList(_ trials: [TrialResult], metric: String) -> String {
    let numbers = trials.map { "#\($0.number)" }
    let summary =
      numbers.count <= 4
      ? numbers.joined(separator: " ") : numbers.prefix(3).joined(separator: " ") + " …"
    var html =
      "<details><summary>\(escape(summary))</summary><table class=\"inner\"><thead><tr>"
      + "<th>#</th><th>seed</th><th>state</th><th>\(escape(metric))</th><th>commands</th>"
      + "</tr></thead><tbody>"
    for trial in trials {
      let value = trial.final(metric).map(label) ?? ""
      html +=
        "<tr><td>\(trial.number)</td><td>\(trial.seed)</td><td>\(trial.state.rawValue)</td>"
        + "<td>\(value)</td><td class=\"cmds\">\(commandLines(trial))</td></tr>"
    }
    return html + "</tbody></table></details>"
  }

  /// `sweep rerun`, the reproducing `sweep train` and `sweep show --html` of a trial, each with a
  /// copy button (it works offline and from file://).
  func commandLines(_ trial: TrialResult) -> String {
    let lines = [
      (
        "rerun",
        commands.rerun(
          sweep: trial.sweep, number: trial.number, dataDirectory: trial.dataDirectory)
      ),
      ("train", commands.train(trial)),
      ("show", commands.show(sweep: trial.sweep, number: trial.number) + " --html"),
    ]
    return lines.map { name, command in
      "<span class=\"cmd\"><button type=\"button\" class=\"copy\" data-copy=\"\(escape(command))\" "
        + "title=\"copy: \(escape(command))\">copy \(name)</button>"
        + "<code>\(escape(command))</code></span>"
    }.joined()
  }

  /// Parameter importance beside correlation for one dataset (8 completed trials or more).
  func importanceChart(_ analysis: SweepAnalysis.Dataset, columns: [String]) -> String {
    guard let importance = analysis.importance(of: columns) else { return "" }
    return ImportanceChart(
      title: "what mattered for \(analysis.metric)", importance: importance
    ).svg()
  }

  /// The learned activations of `trial`'s KAN, read from its checkpoint; a note when the file
  /// is missing, changed or not a KAN.
  func activations(_ trial: TrialResult, heading: String) -> String {
    var html =
      "<h4>\(escape(heading)): trial #\(trial.number) (\(escape(Self.describe(trial.configuration))))</h4>"
    guard let path = trial.checkpointPath else {
      return html + "<p class=\"note\">No checkpoint recorded for this trial.</p>"
    }
    let loaded: Checkpoint.Loaded
    do {
      loaded = try Checkpoint.load(path: path)
    } catch {
      return html
        + "<p class=\"note\">Cannot read the checkpoint \(escape(path)): \(escape(error.description))</p>"
    }
    if let stored = trial.checkpointSHA256, Checkpoint.sha256Hex(ofFileAt: path) != stored {
      html +=
        "<p class=\"note\">Warning: \(escape(path)) no longer matches the SHA-256 the store recorded; "
        + "`sweep rerun` restores it.</p>"
    }
    guard let kan = loaded.network as? KAN else {
      return html
        + "<p class=\"note\">Learned activations are drawn for B-spline KANs only.</p>"
    }
    let grid = ActivationGrid(
      layers: kan.layers.indices.map { kan.learnedActivations(layer: $0) })
    html += "<div class=\"charts\">"
    if let map = grid.inputMap() { html += map }
    html += grid.svgs().joined()
    return html + "</div>"
  }

  /// The page of one trial (`sweep show SWEEP:N --html`): what it is, its curves, the commands
  /// and, for a KAN, its learned activations.
  public static func trialPage(
    _ trial: TrialResult, commands: TrialCommands, metric: String
  ) -> String {
    var report = HTMLReport(sweeps: [])
    report.commands = commands
    var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    html += "<title>\(escape(trial.sweep)):\(trial.number)</title>"
    html += "<style>\(Self.style)</style></head><body>"
    html +=
      "<header><h1>\(escape(trial.sweep)):\(trial.number)</h1><p>\(escape(describe(trial.configuration))), "
      + "seed \(trial.seed), \(trial.state.rawValue)</p></header><main><section class=\"sweep\">"
    html += "<p>\(report.commandLines(trial))</p>"
    html += "<p><code>\(escape(trial.configurationJSON))</code></p>"
    var series: [XYChart.Series] = []
    for name in trial.metrics.keys.sorted() where name.hasSuffix("loss") || name == metric {
      let points = (trial.metrics[name] ?? []).enumerated().compactMap { epoch, value in
        value.flatMap { $0.isFinite ? XYChart.Point(x: Double(epoch + 1), y: $0) : nil }
      }
      if !points.isEmpty { series.append(.init(name: name, points: points, connect: true)) }
    }
    html += "<div class=\"charts\">"
    for item in series {
      html += XYChart(title: item.name, xLabel: "epoch", yLabel: item.name, series: [item]).svg()
    }
    html += "</div>"
    if trial.configuration.model == .kan {
      html += report.activations(trial, heading: "What this KAN learned")
    }
    html += "</section></main><script>\(Self.script)</script></body></html>\n"
    return html
  }
}
