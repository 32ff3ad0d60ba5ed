import ArgumentParser
import Foundation
import Report
import Sweep

/// `sweep bench-report`: time the report of a large synthetic store.
struct BenchReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-report",
    abstract:
      "Generate a store of N trials × E epochs and time writing its report (target ≤ 3 s, ≤ 5 MB)."
  )

  @Option(parsing: .unconditional, help: "Trials to generate.")
  var trials = 10_000
  @Option(parsing: .unconditional, help: "Epochs per trial.")
  var epochs = 20
  @Option(help: "Working folder (default: a temporary folder, removed afterwards).")
  var directory: String?
  @Flag(help: "Print JSON.")
  var json = false

  func validate() throws {
    try check("--trials", trials, in: 1...1_000_000)
    try check("--epochs", epochs, in: 1...10_000)
  }

  func run() throws {
    let folder =
      directory
      ?? FileManager.default.temporaryDirectory.appendingPathComponent(
        "kan-bench-report-\(UUID().uuidString)"
      ).path
    defer { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } }
    let store = try SweepStore(path: folder + "/sweeps.sqlite")
    let generateStart = Date()
    let name = try store.generateBenchmarkSweep(
      name: "bench-\(trials)", trials: trials, epochs: epochs)
    let generated = Date().timeIntervalSince(generateStart)
    let start = Date()
    let sweeps = try SweepResults.load(from: store, names: [name])
    let loaded = Date().timeIntervalSince(start)
    let output = try ReportWriter.write(sweeps, to: folder + "/report")
    let seconds = Date().timeIntervalSince(start)
    let html = output.files.first { $0.name == "index.html" }?.bytes ?? 0
    if json {
      print(
        "{\"trials\": \(trials), \"epochs\": \(epochs), \"report_seconds\": \(seconds), "
          + "\"index_html_bytes\": \(html), \"generate_seconds\": \(generated)}")
    } else {
      print(
        "generated \(trials) trials × \(epochs) epochs in \(String(format: "%.2f", generated)) s")
      for file in output.files { print("  \(file.name): \(file.bytes) bytes") }
      print(
        String(
          format: "  reading the store: %.2f s; writing the files: %.2f s", loaded, seconds - loaded
        ))
      print(
        String(
          format: "report written in %.2f s (target ≤ 3 s); index.html %.2f MB (target ≤ 5 MB)",
          seconds,
          Double(html) / 1_000_000))
    }
  }
}
