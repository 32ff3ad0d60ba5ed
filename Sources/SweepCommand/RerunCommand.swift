import ArgumentParser
import Foundation
import Sweep

/// `sweep rerun SWEEP:N`: retrain a trial and compare it bit for bit.
struct RerunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rerun",
    abstract:
      "Retrain a completed trial from its configuration and seed; print MATCH or the differences.",
    discussion: "Exit status 0 on MATCH, 1 on any difference.")

  @Argument(help: "SWEEP:N.")
  var trial: TrialReference
  @OptionGroup var store: StoreOptions
  @OptionGroup var data: DataOptions

  func run() throws {
    let store = try self.store.open(readOnly: true)
    let (_, record) = try trial.resolve(in: store)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "kan-rerun-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outcome: TrialRerun.Outcome
    do {
      outcome = try TrialRerun(store: store, trial: record).run(
        scratchDirectory: scratch.path, dataDirectory: data.dataDirectory, verify: !data.noVerify)
    } catch {
      throw CommandFailure("\(error)")
    }
    for note in outcome.notes { print("note: \(note)") }
    if outcome.matches {
      print(
        "MATCH \(trial.sweep):\(trial.number): checkpoint sha256 \(outcome.sha256), \(outcome.comparedMetrics) metrics identical"
      )
      return
    }
    print("MISMATCH \(trial.sweep):\(trial.number):")
    for difference in outcome.differences { print("  \(difference)") }
    throw ExitCode(1)
  }
}
