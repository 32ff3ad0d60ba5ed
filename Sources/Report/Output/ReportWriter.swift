import Foundation
import Sweep

/// Writes `trials.csv`, `metrics.csv` and `index.html` for some sweeps of a store.
public enum ReportWriter {
  /// The files written and their sizes.
  public struct Output: Sendable {
    /// The folder.
    public var directory: String
    /// (file name, bytes) in writing order.
    public var files: [(name: String, bytes: Int)]
  }

  /// Loads the sweeps (all when `names` is empty) and writes the three files into `directory`
  /// (each through a temporary file and a rename). Reads one snapshot; never writes to the store.
  /// `page` sets the page's options (commands, live reload).
  public static func write(
    store: SweepStore, names: [String], to directory: String,
    page: (inout HTMLReport) -> Void = { _ in }
  ) throws -> Output {
    let sweeps = try SweepResults.load(from: store, names: names)
    return try write(sweeps, to: directory, page: page)
  }

  /// Writes the files for already loaded sweeps.
  public static func write(
    _ sweeps: [SweepResults], to directory: String, page: (inout HTMLReport) -> Void = { _ in }
  ) throws -> Output {
    var report = HTMLReport(sweeps: sweeps)
    page(&report)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var output = Output(directory: directory, files: [])
    for (name, text) in [
      ("trials.csv", CSVWriter.trials(sweeps)), ("metrics.csv", CSVWriter.metrics(sweeps)),
      ("index.html", report.render()),
    ] {
      let data = Data(text.utf8)
      try data.write(
        to: URL(fileURLWithPath: directory).appendingPathComponent(name), options: .atomic)
      output.files.append((name, data.count))
    }
    return output
  }
}
