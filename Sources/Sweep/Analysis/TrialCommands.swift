import Foundation
import KANLib

/// The command lines `sweep show` and the report print for a trial, written so that pasting
/// them into a shell works: the executable as this process was invoked, the store, the data
/// folder the trial's worker was given, and every argument shell-quoted.
public struct TrialCommands: Sendable, Equatable {
  /// The executable to name: an absolute path, or `sweep` when it was found on `PATH`.
  public var executable: String
  /// The store's location (`--db`), or nil for the default `results/sweeps.sqlite`.
  public var store: String?

  /// Commands that name `executable` and the store at `store`.
  public init(executable: String, store: String? = nil) {
    self.executable = executable
    self.store = store
  }

  /// The executable as this process was invoked: `argument0` made absolute when it is a path
  /// (so the command works from any folder), `sweep` when the shell found it on `PATH`.
  public static func executable(
    invokedAs argument0: String = CommandLine.arguments.first ?? "sweep",
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) -> String {
    guard argument0.contains("/") else { return "sweep" }
    let url =
      argument0.hasPrefix("/")
      ? URL(fileURLWithPath: argument0)
      : URL(fileURLWithPath: workingDirectory).appendingPathComponent(argument0)
    return url.standardizedFileURL.path
  }

  /// `sweep rerun SWEEP:N`: retrains the trial (reading data from `dataDirectory`) and compares
  /// the checkpoint's bytes.
  public func rerun(sweep: String, number: Int, dataDirectory: String? = nil) -> String {
    line(
      ["rerun", "\(sweep):\(number)"] + storeArguments
        + (dataDirectory.map { ["--data-dir", $0] } ?? []))
  }

  /// `sweep show SWEEP:N --html`: the trial's page with its learned activations.
  public func show(sweep: String, number: Int) -> String {
    line(["show", "\(sweep):\(number)"] + storeArguments)
  }

  /// The `sweep train` command that reproduces `configuration` bit for bit with `threads`
  /// OpenBLAS threads, reading data from `dataDirectory` and writing `savePath`.
  public func train(
    _ configuration: TrainingConfiguration, threads: Int, dataDirectory: String?, savePath: String
  ) -> String {
    var arguments = ["train"] + configuration.commandLineArguments
    arguments += ["--threads", String(threads)]
    if let dataDirectory { arguments += ["--data-dir", dataDirectory] }
    arguments += ["--save-path", savePath]
    return line(arguments)
  }

  /// The reproduce command of a stored trial (its threads and data folder as recorded).
  public func train(_ trial: TrialResult) -> String {
    train(
      trial.configuration, threads: trial.blasThreads ?? 1, dataDirectory: trial.dataDirectory,
      savePath: "\(trial.sweep)-\(trial.number).safetensors")
  }

  private var storeArguments: [String] {
    store.map { ["--db", $0] } ?? []
  }

  private func line(_ arguments: [String]) -> String {
    ([executable] + arguments).map(Self.quote).joined(separator: " ")
  }

  /// `text` as one shell word: unchanged when it holds only safe characters, else in single
  /// quotes (a quote inside becomes `'\''`).
  public static func quote(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=,@%+")
    if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
