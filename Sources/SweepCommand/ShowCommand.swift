import ArgumentParser
import Foundation
import KANLib
import Report
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
  @Flag(help: "Write the trial's page (curves, commands, learned activations) and print its path.")
  var html = false
  @Option(help: "Where --html writes (default: results/<sweep>/trial-<N>.html beside the store).")
  var out: String?

  func run() throws {
    let store = try self.store.open(readOnly: true)
    let (sweep, record) = try trial.resolve(in: store)
    if html {
      try writePage(store, sweep)
      return
    }
    let metrics = try store.metrics(trialID: record.id)
    let checkpoint = try store.checkpoint(trialID: record.id)
    let environment = try store.environment(trialID: record.id)
    let history = try store.events(trialID: record.id)
    let fileStatus = checkpoint.map { CheckpointFile.status(path: $0.path, sha256: $0.sha256) }
    let commands = self.store.commands
    let command = record.trainingConfiguration.map {
      commands.train(
        $0, threads: environment?.blasThreads ?? 1, dataDirectory: environment?.dataDirectory,
        savePath: "\(sweep.name)-\(record.number).safetensors")
    }
    let rerun = commands.rerun(
      sweep: sweep.name, number: record.number, dataDirectory: environment?.dataDirectory)
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
        "error": record.error ?? NSNull(), "command": command ?? NSNull(), "rerun": rerun,
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
    print("rerun:     \(rerun)")
    if let fileStatus, fileStatus != .intact {
      FileHandle.standardError.write(
        Data(
          ("Error: the checkpoint file does not match the store; `sweep rerun \(trial.sweep):"
            + "\(trial.number)` retrains it and restores the file when the bits match\n").utf8))
      throw ExitCode(1)
    }
  }

  /// Writes the trial's HTML page (through a temporary file and a rename).
  func writePage(_ store: SweepStore, _ sweep: SweepRecord) throws {
    let results: SweepResults
    do {
      results = try SweepResults.load(sweep, from: store)
    } catch {
      throw CommandFailure(error.description)
    }
    guard let result = results.trials.first(where: { $0.number == trial.number }) else {
      throw CommandFailure("sweep '\(sweep.name)' has no trial \(trial.number)")
    }
    let metric = SweepAnalysis.metric(
      for: result.configuration.dataset, in: sweep,
      validation: result.configuration.validationFraction > 0
    ).name
    let page = HTMLReport.trialPage(result, commands: self.store.commands, metric: metric)
    let folder = try store.outputDirectory(sweep: sweep.name)
    let path =
      out ?? URL(fileURLWithPath: folder).appendingPathComponent("trial-\(trial.number).html").path
    do {
      try FileManager.default.createDirectory(
        at: URL(fileURLWithPath: path).deletingLastPathComponent(),
        withIntermediateDirectories: true)
      try Data(page.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
    }
    print("wrote \(path)")
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
