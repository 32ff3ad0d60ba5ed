import ArgumentParser
import Foundation
import Report
import Sweep

/// `sweep report [SWEEP ...]`: trials.csv, metrics.csv and a self-contained index.html.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write trials.csv, metrics.csv and a self-contained index.html comparing sweeps.",
    discussion: """
      Works on a sweep in progress without disturbing it (it only reads). With --watch SECONDS \
      it rewrites the files every SECONDS while trials are queued or running (and once more \
      when none are left, then exits; Ctrl-C stops it); the page then reloads itself at that \
      interval and keeps its scroll position.
      """)

  @Argument(help: "Sweeps to compare (default: every sweep in the store).")
  var sweeps: [String] = []
  @OptionGroup var store: StoreOptions
  @Option(help: "Output folder (default: results/<sweep>/report beside the store).")
  var out: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Rewrite the report every SECONDS until the sweeps finish; the page reloads itself.",
      valueName: "seconds"))
  var watch: Double?

  func validate() throws {
    if let watch { try check("--watch", watch, in: 0.5...86_400) }
  }

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
    let commands = self.store.commands
    guard let watch else {
      try write(store, names, directory, commands: commands, reload: nil)
      return
    }
    StopSignal.install()
    while true {
      let active = try write(store, names, directory, commands: commands, reload: watch)
      fflush(nil)
      guard active else {
        print("no trials queued or running: the report is final")
        return
      }
      let deadline = Date().addingTimeInterval(watch)
      while Date() < deadline {
        if StopSignal.isRequested {
          print("stopped watching")
          return
        }
        usleep(100_000)
      }
    }
  }

  /// Writes the report once; true while some trial is queued or running.
  @discardableResult
  func write(
    _ store: SweepStore, _ names: [String], _ directory: String, commands: TrialCommands,
    reload: Double?
  ) throws -> Bool {
    let start = Date()
    let active: Bool
    let output: ReportWriter.Output
    do {
      let sweeps = try SweepResults.load(from: store, names: names)
      active = sweeps.contains { ($0.counts[.queued] ?? 0) + ($0.counts[.running] ?? 0) > 0 }
      output = try ReportWriter.write(sweeps, to: directory) { page in
        page.commands = commands
        // The final page of a watch is static: nothing will change any more.
        page.reloadSeconds = active ? reload : nil
      }
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
    return active
  }
}
