import ArgumentParser
import Foundation
import Report
import Sweep

/// `sweep report [SWEEP ...]`: trials.csv, metrics.csv and a self-contained index.html.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write trials.csv, metrics.csv and a self-contained index.html comparing sweeps.",
    discussion: "Works on a sweep in progress without disturbing it (it only reads).")

  @Argument(help: "Sweeps to compare (default: every sweep in the store).")
  var sweeps: [String] = []
  @OptionGroup var store: StoreOptions
  @Option(help: "Output folder (default: results/<sweep>/report beside the store).")
  var out: String?

  func run() throws {
    let store = try self.store.open(readOnly: true)
    let names = sweeps.isEmpty ? try store.sweeps().map(\.name) : sweeps
    guard !names.isEmpty else { throw CommandFailure("\(store.location): holds no sweeps yet") }
    let directory: String
    if let out {
      directory = out
    } else {
      directory =
        URL(fileURLWithPath: try store.outputDirectory(sweeps: names))
        .appendingPathComponent("report").path
    }
    let start = Date()
    let output: ReportWriter.Output
    do {
      output = try ReportWriter.write(store: store, names: names, to: directory)
    } catch {
      throw CommandFailure("\(error)")
    }
    for file in output.files {
      print("wrote \(directory)/\(file.name) (\(file.bytes) bytes)")
    }
    print(
      String(
        format: "report of %@ in %.2f s", names.joined(separator: ", "),
        Date().timeIntervalSince(start)))
  }
}
