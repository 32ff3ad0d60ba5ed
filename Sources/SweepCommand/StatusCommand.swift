import ArgumentParser
import Foundation
import Sweep

/// `sweep status [SWEEP]`: counts by state, best trial, running trials, ETA.
struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract:
      "Show a sweep's progress and its best trial per dataset (every sweep when none is named).")

  @Argument(help: "The sweep's name.")
  var sweep: String?
  @OptionGroup var store: StoreOptions
  @Flag(
    help:
      "Print JSON: {\"sweep\", \"trials\": {state: count}, \"best\": [per dataset], \"eta_seconds\", \"running\"}."
  )
  var json = false

  func run() throws {
    let store = try self.store.open(readOnly: true)
    var records = try store.sweeps()
    if let sweep {
      records = records.filter { $0.name == sweep }
      guard !records.isEmpty else {
        throw CommandFailure("\(store.location): no sweep named '\(sweep)'")
      }
    }
    var objects: [[String: Any]] = []
    for record in records {
      let summary = try SweepSummary(store: store, sweep: record)
      if json {
        var object: [String: Any] = [
          "sweep": record.name,
          "trials": Dictionary(
            uniqueKeysWithValues: TrialState.allCases.map { ($0.rawValue, summary.counts[$0] ?? 0) }
          ),
          "best": summary.analysis.datasets.map { dataset -> [String: Any] in
            var entry: [String: Any] = [
              "dataset": dataset.dataset.rawValue, "metric": dataset.metric,
              "goal": dataset.goal.rawValue,
            ]
            if let best = dataset.best {
              entry["configuration"] = [
                "mean": jsonNumber(best.mean), "std": jsonNumber(best.standardDeviation),
                "n": best.count, "trials": best.trials.map(\.number),
              ]
            }
            if let trial = dataset.bestTrial {
              entry["trial"] = trial.trial.number
              entry["value"] = jsonNumber(trial.value)
              entry["parameters"] = trial.trial.parameters
            }
            return entry
          },
          "eta_seconds": summary.etaSeconds ?? NSNull(),
          "running": summary.running.map {
            [
              "trial": $0.trial.number,
              "worker": "\($0.trial.workerHost ?? "?"):\($0.trial.workerPID ?? 0)",
              "heartbeat_age_seconds": $0.heartbeatAge ?? NSNull(),
            ] as [String: Any]
          },
        ]
        object["description"] = record.description
        objects.append(object)
      } else {
        print(
          "sweep \(record.title)" + (record.description.isEmpty ? "" : " — \(record.description)"))
        print(
          "  "
            + TrialState.allCases.map { "\(summary.counts[$0] ?? 0) \($0.rawValue)" }.joined(
              separator: ", "))
        for dataset in summary.analysis.datasets {
          guard let best = dataset.best, let trial = dataset.bestTrial else { continue }
          let spread =
            best.count > 1
            ? String(
              format: " (mean %.6g ± %.2g over %d seeds)", best.mean, best.standardDeviation,
              best.count)
            : ""
          print(
            "  best \(dataset.dataset.rawValue) \(dataset.metric) \(String(format: "%.6g", trial.value))"
              + "\(spread): trial \(trial.trial.number) "
              + compactParameters(trial.trial.parameters, only: Set(summary.sweptParameters))
              + " seed \(trial.trial.seed)")
        }
        for (trial, age) in summary.running {
          print(
            "  running trial \(trial.number) on \(trial.workerHost ?? "?"):\(trial.workerPID ?? 0), "
              + "heartbeat \(age.map { String(format: "%.0f s ago", $0) } ?? "never")")
        }
        if let eta = summary.etaSeconds, eta > 0 { print(String(format: "  ETA %.0f s", eta)) }
      }
    }
    if json {
      let value: Any = sweep == nil ? objects : (objects.first ?? [:])
      let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    }
  }
}
