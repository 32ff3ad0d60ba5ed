import ArgumentParser
import Foundation
import KANLib
import Sweep

/// `sweep show SWEEP:N`: everything about one trial, and the command that reproduces it.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one trial: configuration, metrics, checkpoint, environment.")

  @Argument(help: "SWEEP:N, e.g. mnist-grid:12.")
  var trial: TrialReference
  @OptionGroup var store: StoreOptions
  @Flag(help: "Print JSON.")
  var json = false

  func run() throws {
    let store = try self.store.open(readOnly: true)
    let (sweep, record) = try trial.resolve(in: store)
    let metrics = try store.metrics(trialID: record.id)
    let checkpoint = try store.checkpoint(trialID: record.id)
    let environment = try store.environment(trialID: record.id)
    let history = try store.events(trialID: record.id)
    let fileStatus = checkpoint.map { CheckpointFile.status(path: $0.path, sha256: $0.sha256) }
    let command = record.trainingConfiguration.map {
      reproduceCommand($0, threads: environment?.blasThreads ?? 1)
    }
    if json {
      var object: [String: Any] = [
        "sweep": sweep.name, "trial": record.number, "state": record.state.rawValue,
        "seed": record.seed,
        "attempt": record.attempt, "identity": record.identity,
        "configuration": (try? JSONSerialization.jsonObject(with: Data(record.configuration.utf8)))
          ?? [:],
        "metrics": metrics.map {
          ["epoch": $0.epoch, "name": $0.name, "value": jsonNumber($0.value)] as [String: Any]
        },
        "error": record.error ?? NSNull(), "command": command ?? NSNull(),
      ]
      if let checkpoint, let fileStatus {
        object["checkpoint"] = [
          "path": checkpoint.path, "sha256": checkpoint.sha256, "bytes": checkpoint.bytes,
          "file": Self.name(fileStatus),
        ]
      }
      object["history"] = history.map {
        ["attempt": $0.attempt, "at": $0.at, "state": $0.state.rawValue, "message": $0.message]
          as [String: Any]
      }
      if let environment {
        object["environment"] =
          [
            "tool_version": environment.toolVersion,
            "git_commit": environment.gitCommit ?? NSNull(),
            "openblas_core": environment.openBLASCore, "blas_threads": environment.blasThreads,
            "cpu_model": environment.cpuModel, "host": environment.host,
            "os": environment.operatingSystem,
          ] as [String: Any]
      }
      let data = try JSONSerialization.data(
        withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
      print(String(decoding: data, as: UTF8.self))
      if let fileStatus, fileStatus != .intact { throw ExitCode(1) }
      return
    }
    print(
      "\(sweep.name):\(record.number)  \(record.state.rawValue)  seed \(record.seed)  attempt \(record.attempt)"
    )
    print("configuration \(record.configuration)")
    if let error = record.error { print("error: \(error)") }
    let epochs = Set(metrics.map(\.epoch)).sorted()
    let names = Array(Set(metrics.map(\.name))).sorted()
    if !epochs.isEmpty {
      print((["epoch"] + names).joined(separator: "\t"))
      for epoch in epochs {
        let row = names.map { name in
          metrics.first { $0.epoch == epoch && $0.name == name }.map {
            String(format: "%.6g", $0.value)
          } ?? ""
        }
        print(([String(epoch)] + row).joined(separator: "\t"))
      }
    }
    for event in history {
      print("history: attempt \(event.attempt) → \(event.state.rawValue): \(event.message)")
    }
    if let checkpoint, let fileStatus {
      print(
        "checkpoint \(fileStatus.describe(path: checkpoint.path, stored: checkpoint.sha256)) "
          + "(\(checkpoint.bytes) bytes)")
    }
    if let environment {
      print(
        "environment kan-sweep \(environment.toolVersion), git \(environment.gitCommit ?? "none"), OpenBLAS "
          + "\(environment.openBLASCore) × \(environment.blasThreads), \(environment.cpuModel), \(environment.host), "
          + environment.operatingSystem)
    }
    if let command { print("reproduce: \(command)") }
    if let fileStatus, fileStatus != .intact {
      FileHandle.standardError.write(
        Data(
          ("Error: the checkpoint file does not match the store; `sweep rerun \(trial.sweep):"
            + "\(trial.number)` retrains it and restores the file when the bits match\n").utf8))
      throw ExitCode(1)
    }
  }

  static func name(_ status: CheckpointFile.Status) -> String {
    switch status {
    case .intact: return "intact"
    case .missing: return "missing"
    case .modified: return "modified"
    }
  }
}

/// A JSON-safe number: NaN and ±inf as strings.
func jsonNumber(_ value: Double) -> Any {
  value.isFinite ? value : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
}

/// The `sweep train` command line that reproduces `configuration` bit for bit (the options
/// come from the parameter registry; see `TrainingConfiguration.commandLineArguments`).
func reproduceCommand(_ configuration: TrainingConfiguration, threads: Int) -> String {
  (["sweep", "train"] + configuration.commandLineArguments + ["--threads", String(threads)])
    .joined(separator: " ")
}
