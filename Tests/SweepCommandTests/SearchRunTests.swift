import Foundation
import KANLib
import Testing

@testable import Sweep

#if canImport(Glibc)
  import Glibc
#endif

/// Sweeps that search, with real workers: bayes + hyperband, surviving kill -9, targets, and
/// open-ended random search.
@Suite(.serialized) struct SearchRunTests {
  static func sweep(_ name: String, _ extra: String) -> String {
    """
    name: \(name)
    program: train.py
    \(extra)
    parameters:
      dataset: {value: toy_exp_sin}
      hidden_layers: {value: [6]}
      epochs: {value: 4}
      train_limit: {value: 1500}
      test_limit: {value: 200}
      learning_rate: {distribution: log_uniform_values, min: 0.0003, max: 0.1}
      grid_size: {min: 2, max: 10}
    """
  }

  @Test func bayesWithHyperbandPrunesAndReruns() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(
      Self.sweep(
        "bh",
        "method: bayes\nrun_cap: 14\nearly_terminate: {type: hyperband, min_iter: 1, eta: 3}"),
      to: directory)
    let db = directory.appendingPathComponent("s.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db, "--plain"])
    #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
    #expect(outcome.standardError.contains("note: \(file): program: ignored"))
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "bh"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.count == 14 && Set(trials.map(\.identity)).count == 14)
    #expect(trials.allSatisfy { $0.state == .completed || $0.state == .pruned })
    let pruned = try #require(trials.first { $0.state == .pruned }, "hyperband pruned nothing")
    #expect(pruned.error?.contains("stopped by hyperband at epoch") == true)
    let epochs = try store.metrics(trialID: pruned.id).map(\.epoch).max() ?? 0
    #expect(epochs >= 1 && epochs < 4)
    #expect(try store.checkpoint(trialID: pruned.id) != nil)
    let rerun = try CommandRunner.run(["rerun", "bh:\(pruned.number)", "--db", db])
    #expect(rerun.status == 0 && rerun.standardOutput.contains("MATCH"), "\(rerun.standardOutput)")
    let status = try CommandRunner.run(["status", "bh", "--db", db])
    #expect(
      status.standardOutput.contains("pruned")
        && status.standardOutput.contains("best toy_exp_sin val_rmse"))
  }

  /// kill -9 of `sweep run` in the middle of a bayes sweep: running again resumes from the stored
  /// trials and ends with run_cap configurations, none twice.
  @Test func aKilledBayesSweepResumes() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(
      Self.sweep(
        "resume", "method: bayes\nrun_cap: 16\nearly_terminate: {type: median, min_iter: 2}"
      )
      .replacingOccurrences(of: "train_limit: {value: 1500}", with: "train_limit: {value: 12000}"),
      to: directory)
    let db = directory.appendingPathComponent("s.sqlite").path
    let first = try SweepRunTests.start(
      ["run", file, "--db", db, "--plain"], log: directory.appendingPathComponent("run1.log"))
    let store = try SweepStore(path: db)
    let reached = try SweepRunTests.waitUntil(timeout: 120) {
      guard let sweep = try store.sweep(named: "resume") else { return false }
      let counts = try store.counts(sweepID: sweep.id)
      return (counts[.completed] ?? 0) + (counts[.pruned] ?? 0) >= 4 && (counts[.running] ?? 0) >= 1
    }
    #expect(reached)
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    let second = try CommandRunner.run(["run", file, "--db", db, "--plain"])
    #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
    let sweep = try #require(try store.sweep(named: "resume"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.count == 16 && Set(trials.map(\.identity)).count == 16)
    #expect(trials.allSatisfy { $0.state == .completed || $0.state == .pruned })
  }

  @Test func aReachedTargetStopsTheSweep() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // Open-ended random search whose target the first trials reach.
    let file = try SweepRunTests.write(
      Self.sweep("target", "method: random\nmetric: {name: val_rmse, goal: minimize, target: 10}"),
      to: directory)
    let db = directory.appendingPathComponent("s.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db, "--plain", "--workers", "1"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    #expect(outcome.standardOutput.contains("metric.target reached"))
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "target"))
    #expect(try store.trials(sweepID: sweep.id).count <= 3)
  }

  @Test func openEndedRandomSearchStopsAtMaxTrials() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(Self.sweep("open", "method: random"), to: directory)
    let db = directory.appendingPathComponent("s.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db, "--plain", "--max-trials", "5"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    #expect(outcome.standardOutput.contains("random search, configurations suggested"))
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "open"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.count == 5 && trials.allSatisfy { $0.state == .completed })
    // The same draws as a file with run_cap 5 would plan.
    let capped = try ExperimentFile(
      text: Self.sweep("open", "method: random\nrun_cap: 5"), path: file)
    #expect(Set(try capped.plannedTrials().map(\.identity)) == Set(trials.map(\.identity)))
  }

  /// A store whose trials trained without a validation split (as before the split existed) gets
  /// the split's trials as new ones when the file is submitted again, and is told why.
  @Test func resubmittingAnOldFileExplainsTheNewTrials() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let text = "name: old\nparameters:\n  dataset: {value: toy_xy}\n  grid_size: {values: [3, 4]}\n"
    let old = try SweepRunTests.write(
      text + "  validation_fraction: {value: 0}\n", to: directory, name: "old.yaml")
    let db = directory.appendingPathComponent("s.sqlite").path
    #expect(try CommandRunner.run(["submit", old, "--db", db]).status == 0)
    let current = try SweepRunTests.write(text, to: directory, name: "current.yaml")
    let again = try CommandRunner.run(["submit", current, "--db", db])
    #expect(again.status == 0)
    #expect(
      again.standardOutput.contains("2 new trial(s): sweeps now hold out validation_fraction"))
    #expect(again.standardOutput.contains("the 2 earlier trial(s) trained on all of it"))
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "old"))
    #expect(try store.trials(sweepID: sweep.id).count == 4)
  }
}
