import KANLib
import Sweep

/// `trials.csv` (one row per trial) and `metrics.csv` (long form), RFC 4180.
public enum CSVWriter {
  /// Metrics summarized per trial in `trials.csv`, in this order.
  public static let summarizedMetrics = [
    "train_loss", "val_loss", "val_accuracy", "val_rmse", "test_loss", "test_accuracy", "test_rmse",
  ]

  /// The parameter columns of `trials.csv`: every sweep-file parameter of the registry.
  public static var parameterColumns: [String] {
    TrainingParameter.sweepFileParameters.map(\.name)
  }

  /// The header of `trials.csv`.
  public static var trialsHeader: [String] {
    var columns =
      ["sweep", "trial", "state", "seed"] + parameterColumns + ["parameter_count", "flops"]
    for metric in summarizedMetrics {
      columns += ["final_\(metric)", "best_\(metric)", "best_epoch_\(metric)"]
    }
    return columns + ["wall_seconds", "samples_per_second", "checkpoint_sha256", "error"]
  }

  /// `trials.csv` for `sweeps`.
  public static func trials(_ sweeps: [SweepResults]) -> String {
    var output = row(trialsHeader)
    for sweep in sweeps {
      for trial in sweep.trials {
        var fields = [trial.sweep, String(trial.number), trial.state.rawValue, String(trial.seed)]
        fields += parameterColumns.map { trial.configuration.value(of: $0) }
        fields.append(trial.parameterCount.map(String.init) ?? "")
        fields.append(trial.flops.map { String(format: "%.0f", $0) } ?? "")
        for metric in summarizedMetrics {
          let values = trial.metrics[metric] ?? []
          let goal = MetricGoal.natural(for: metric)
          var best: (epoch: Int, value: Double)?
          for (index, stored) in values.enumerated() {
            guard let value = stored, !value.isNaN else { continue }
            if best.map({ goal.isBetter(value, than: $0.value) }) ?? true {
              best = (index + 1, value)
            }
          }
          fields += [
            trial.final(metric).map(number) ?? "", best.map { number($0.1) } ?? "",
            best.map { String($0.0) } ?? "",
          ]
        }
        fields.append(trial.trainingSeconds.map(number) ?? "")
        fields.append(trial.mean("samples_per_second").map(number) ?? "")
        fields.append(trial.checkpointSHA256 ?? "")
        fields.append(trial.error ?? "")
        output += row(fields)
      }
    }
    return output
  }

  /// `metrics.csv`: sweep, trial, epoch, metric, value (built as bytes: it can have millions of
  /// rows).
  public static func metrics(_ sweeps: [SweepResults]) -> String {
    var output = [UInt8]()
    output.reserveCapacity(sweeps.reduce(0) { $0 + $1.trials.count } * 20 * 6 * 40)
    output += Array(row(["sweep", "trial", "epoch", "metric", "value"]).utf8)
    for sweep in sweeps {
      let sweepField = Array((quote(sweep.record.name) + ",").utf8)
      for trial in sweep.trials {
        let trialField = Array((String(trial.number) + ",").utf8)
        for name in trial.metrics.keys.sorted() {
          let nameField = Array(("," + quote(name) + ",").utf8)
          for (index, stored) in (trial.metrics[name] ?? []).enumerated() {
            guard let value = stored else { continue }
            output += sweepField
            output += trialField
            output += String(index + 1).utf8
            output += nameField
            output += number(value).utf8
            output += [13, 10]
          }
        }
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// A number as pandas and spreadsheets read it back exactly (`nan`, `inf`, `-inf` for the
  /// non-finite values).
  public static func number(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    return "\(value)"
  }

  /// One CSV line, quoting fields that need it (RFC 4180), CRLF-terminated.
  static func row(_ fields: [String]) -> String {
    fields.map(quote).joined(separator: ",") + "\r\n"
  }

  static func quote(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return field
    }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
