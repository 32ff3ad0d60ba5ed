import Foundation
import TestServices
import Testing

@testable import Sweep

#if canImport(Glibc)
  import Glibc
#endif

/// `sweep run` with real worker processes on real SQLite files.
@Suite(.serialized) struct SweepRunTests {
  static func write(_ text: String, to directory: URL, name: String = "sweep.yaml") throws -> String
  {
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// "trial N: completed" lines of every worker log, counted by trial number.
  static func completions(in directory: URL, sweep: String) throws -> [Int: Int] {
    let logs = directory.appendingPathComponent("\(sweep)/logs")
    var counts: [Int: Int] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: logs.path) {
      let text = try String(contentsOfFile: logs.appendingPathComponent(name).path, encoding: .utf8)
      for line in text.split(separator: "\n") where line.contains(": completed") {
        if let range = line.range(of: "trial "),
          let number = Int(line[range.upperBound...].prefix { $0.isNumber })
        {
          counts[number, default: 0] += 1
        }
      }
    }
    return counts
  }

  static func allLogs(in directory: URL, sweep: String) -> String {
    let logs = directory.appendingPathComponent("\(sweep)/logs")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: logs.path)) ?? []
    return names.compactMap {
      try? String(contentsOfFile: logs.appendingPathComponent($0).path, encoding: .utf8)
    }
    .joined(separator: "\n")
  }

  static func start(_ arguments: [String], log: URL, in directory: URL? = nil) throws -> Process {
    let process = Process()
    process.executableURL = CommandRunner.executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
  }

  static func waitUntil(timeout: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if try condition() { return true }
      usleep(100_000)
    }
    return false
  }

  @Test func fourWorkersCompleteFortyTrialsExactlyOnce() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try Self.write(
      """
      name: forty
      seeds: [0, 1, 2, 3]
      parameters:
        dataset: {value: toy_xy}
        grid_size: {values: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}
        hidden_layers: {value: [3]}
        epochs: {value: 1}
        train_limit: {value: 300}
        test_limit: {value: 100}
      """, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db, "--workers", "4", "--plain"])
    #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "forty"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.count == 40)
    #expect(trials.allSatisfy { $0.state == .completed && $0.attempt == 1 })
    let completions = try Self.completions(in: directory, sweep: "forty")
    #expect(completions.count == 40 && completions.values.allSatisfy { $0 == 1 })
    let everything =
      outcome.standardOutput + outcome.standardError + Self.allLogs(in: directory, sweep: "forty")
    #expect(!everything.contains("database is locked"))
    #expect(
      Set(trials.compactMap(\.workerPID)).count >= 2, "trials were spread over several workers")
    // Submitting again adds nothing and runs nothing.
    let again = try CommandRunner.run(["run", file, "--db", db, "--workers", "4", "--plain"])
    #expect(again.status == 0 && again.standardOutput.contains("40 trials planned, 0 new"))

    // rerun: MATCH, then a real mismatch after a stored metric is altered.
    let match = try CommandRunner.run(["rerun", "forty:7", "--db", db])
    #expect(
      match.status == 0 && match.standardOutput.contains("MATCH"),
      "\(match.standardOutput)\(match.standardError)")
    let trial = try #require(trials.first { $0.number == 7 })
    try store.write { db in
      try db.execute(
        "UPDATE metric SET bits = bits + 1 WHERE trial_id = ? AND name = 'test_loss'", [trial.id])
    }
    let mismatch = try CommandRunner.run(["rerun", "forty:7", "--db", db])
    #expect(mismatch.status == 1)
    #expect(
      mismatch.standardOutput.contains("MISMATCH") && mismatch.standardOutput.contains("test_loss"))
  }

  static let slowSweep = """
    name: slow
    parameters:
      dataset: {value: toy_exp_4d}
      grid_size: {values: [5, 6, 7, 8]}
      hidden_layers: {value: [8]}
      epochs: {value: 3}
      train_limit: {value: 40000}
      test_limit: {value: 200}
    """

  @Test func killedWorkerTrialIsRequeuedAndCompletedOnce() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try Self.write(Self.slowSweep, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let run = try Self.start(
      ["run", file, "--db", db, "--workers", "2", "--plain"],
      log: directory.appendingPathComponent("run.log"))
    defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
    let store = try SweepStore(path: db)
    var victim: TrialRecord?
    let found = try Self.waitUntil(timeout: 120) {
      guard let sweep = try store.sweep(named: "slow") else { return false }
      for trial in try store.trials(sweepID: sweep.id) where trial.state == .running {
        if try !store.metrics(trialID: trial.id).isEmpty {
          victim = trial
          return true
        }
      }
      return false
    }
    let chosen = try #require(victim, "no trial reached its first epoch (found: \(found))")
    kill(pid_t(chosen.workerPID ?? 0), SIGKILL)
    run.waitUntilExit()
    #expect(run.terminationStatus == 0)
    let sweep = try #require(try store.sweep(named: "slow"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.allSatisfy { $0.state == .completed })
    let retried = try #require(trials.first { $0.id == chosen.id })
    #expect(retried.attempt == 2)
    #expect(retried.error == nil)
    let completions = try Self.completions(in: directory, sweep: "slow")
    #expect(completions.count == 4 && completions.values.allSatisfy { $0 == 1 })
    #expect(
      try store.metrics(trialID: retried.id).filter { $0.name == "test_loss" }.map(\.epoch) == [
        1, 2, 3,
      ])
  }

  /// Ctrl-C (SIGINT) or SIGTERM to `sweep run`: the running trials go back to the queue without
  /// counting the attempt, nothing is left running, and the exit status is 130.
  @Test(arguments: [SIGINT, SIGTERM])
  func interruptRequeuesRunningTrialsAndExits130(_ signal: Int32) throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try Self.write(Self.slowSweep, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let run = try Self.start(
      ["run", file, "--db", db, "--workers", "2", "--plain"],
      log: directory.appendingPathComponent("run.log"))
    defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
    let store = try SweepStore(path: db)
    let running = try Self.waitUntil(timeout: 120) {
      guard let sweep = try store.sweep(named: "slow") else { return false }
      return try store.counts(sweepID: sweep.id)[.running] == 2
    }
    try #require(running, "two trials never ran at once")
    kill(run.processIdentifier, signal)
    run.waitUntilExit()
    #expect(run.terminationStatus == 130)
    let sweep = try #require(try store.sweep(named: "slow"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.allSatisfy { $0.state == .queued || $0.state == .completed })
    let requeued = trials.filter { $0.state == .queued && $0.error != nil }
    #expect(requeued.count >= 1, "\(trials.map { ($0.state, $0.error ?? "") })")
    #expect(requeued.allSatisfy { $0.attempt == 0 && $0.workerPID == nil })
    // Resuming finishes the sweep; every trial completes once.
    let again = try CommandRunner.run(["run", file, "--db", db, "--workers", "2", "--plain"])
    #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
    #expect(try store.trials(sweepID: sweep.id).allSatisfy { $0.state == .completed })
  }

  @Test func killedSchedulerResumesWithNothingLostOrDuplicated() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try Self.write(Self.slowSweep, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let first = try Self.start(
      ["run", file, "--db", db, "--workers", "2", "--plain"],
      log: directory.appendingPathComponent("run1.log"))
    let store = try SweepStore(path: db)
    let reached = try Self.waitUntil(timeout: 120) {
      guard let sweep = try store.sweep(named: "slow") else { return false }
      let counts = try store.counts(sweepID: sweep.id)
      return (counts[.completed] ?? 0) >= 1 && (counts[.running] ?? 0) >= 1
    }
    #expect(reached)
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    let second = try CommandRunner.run(["run", file, "--db", db, "--workers", "2", "--plain"])
    #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
    let sweep = try #require(try store.sweep(named: "slow"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.count == 4 && trials.allSatisfy { $0.state == .completed })
    let completions = try Self.completions(in: directory, sweep: "slow")
    #expect(
      completions.count == 4 && completions.values.allSatisfy { $0 == 1 },
      "\(completions) \(Self.allLogs(in: directory, sweep: "slow"))")
  }

  @Test func divergingTrialFailsWithItsReasonAndTheSweepGoesOn() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try Self.write(
      """
      name: nan
      parameters:
        dataset: {value: toy_xy}
        model: {value: mlp}
        learning_rate: {values: [0.01, 1.0e+6, 0.001]}
        epochs: {value: 2}
        train_limit: {value: 200}
        test_limit: {value: 50}
      """, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db, "--workers", "2", "--plain"])
    #expect(outcome.status == 1)
    let store = try SweepStore(path: db)
    let trials = try store.trials(sweepID: try #require(try store.sweep(named: "nan")).id)
    #expect(trials.map(\.state) == [.completed, .failed, .completed])
    #expect(trials[1].error?.contains("diverged") == true)
    #expect(outcome.standardOutput.contains("diverged"))
  }

  @Test func badExperimentFilesExitTwoAndLeaveTheStoreUnchanged() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let good = try Self.write(
      "name: ok\nparameters:\n  dataset: {value: toy_xy}\n  epochs: {value: 1}\n  train_limit: {value: 50}\n",
      to: directory, name: "ok.yaml")
    let submitted = try CommandRunner.run(["submit", good, "--db", db])
    #expect(submitted.status == 0)
    let store = try SweepStore(path: db)
    let before = try store.sweeps().map(\.name)
    let cases = [
      ("name: x\nparameters:\n  grid_size: {values: [3, 5}\n", ":3:28:"),
      ("name: x\nparameters:\n  grid_sise: {value: 3}\n", ":3:3:"),
      ("name: x\nparameters:\n  learning_rate: {value: -1}\n", ":3:26:"),
      ("name: x\nrun_cap: 1\nparameters:\n  grid_size: {values: [3, 5]}\n", ":2:10:"),
    ]
    for (text, location) in cases {
      let path = try Self.write(text, to: directory, name: "bad.yaml")
      for command in ["run", "submit", "validate"] {
        let arguments = command == "validate" ? [command, path] : [command, path, "--db", db]
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == 2, "\(command) \(text)")
        #expect(outcome.standardError.contains(path + location), "\(outcome.standardError)")
      }
    }
    #expect(try store.sweeps().map(\.name) == before)
    let fresh = directory.appendingPathComponent("never.sqlite").path
    _ = try CommandRunner.run([
      "run", directory.appendingPathComponent("bad.yaml").path, "--db", fresh,
    ])
    #expect(!FileManager.default.fileExists(atPath: fresh))
  }

  /// `sweep bench-sweep` runs a real (small) sweep and reports what it measured.
  @Test func benchSweepRunsTheSweepAndReportsItsOverhead() throws {
    let outcome = try CommandRunner.run([
      "bench-sweep", "--trials", "20", "--samples", "200", "--json",
    ])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    #expect(object["trials"] as? Int == 20)
    let fraction = try #require(object["outside_fraction"] as? Double)
    let compute = try #require(object["compute_seconds"] as? Double)
    let wall = try #require(object["wall_seconds"] as? Double)
    #expect(fraction >= 0 && fraction < 1 && compute > 0 && wall > compute / 2)
    let bad = try CommandRunner.run(["bench-sweep", "--trials", "30"])
    #expect(bad.status != 0 && bad.standardError.contains("multiple of 20"))
  }

  @Test func statusAndShowDescribeTheSweep() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try Self.write(
      "name: st\nparameters:\n  dataset: {values: [toy_xy, toy_exp_sin]}\n"
        + "  grid_size: {values: [3, 4]}\n  epochs: {value: 1}\n  train_limit: {value: 100}\n",
      to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    #expect(try CommandRunner.run(["run", file, "--db", db, "--plain"]).status == 0)
    let status = try CommandRunner.run(["status", "st", "--db", db, "--json"])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
    let trials = try #require(object["trials"] as? [String: Int])
    #expect(trials == ["queued": 0, "running": 0, "completed": 4, "failed": 0, "pruned": 0])
    #expect(object["eta_seconds"] != nil)
    // One best per dataset, each on its own metric (never an RMSE of one task against another).
    let best = try #require(object["best"] as? [[String: Any]])
    #expect(best.compactMap { $0["dataset"] as? String } == ["toy_xy", "toy_exp_sin"])
    // Ranked on the validation split sweeps hold out by default.
    #expect(best.allSatisfy { $0["metric"] as? String == "val_rmse" && $0["trial"] is Int })
    #expect(best.compactMap { $0["trial"] as? Int }.map { $0 / 2 } == [0, 1])
    let text = try CommandRunner.run(["status", "st", "--db", db])
    #expect(
      text.standardOutput.contains("best toy_xy val_rmse")
        && text.standardOutput.contains("best toy_exp_sin val_rmse"), "\(text.standardOutput)")
    let show = try CommandRunner.run(["show", "st:1", "--db", db])
    #expect(
      show.status == 0 && show.standardOutput.contains("--grid-size 4")
        && show.standardOutput.contains("--seed 0"))
    #expect(show.standardOutput.contains("OpenBLAS"))
    // The printed command, pasted into a shell without `sweep` on PATH, reproduces the stored
    // checkpoint bit for bit.
    let line = try #require(
      show.standardOutput.split(separator: "\n").first { $0.hasPrefix("reproduce: ") })
    #expect(line.contains(CommandRunner.executable.path + " train "))
    let reproduced = try CommandRunner.shell(
      line.dropFirst("reproduce: ".count) + " --json", in: directory)
    #expect(reproduced.status == 0, "\(reproduced.standardError)")
    let store = try SweepStore(path: db)
    let sweepRecord = try #require(try store.sweep(named: "st"))
    let trial = try #require(try store.trial(sweepID: sweepRecord.id, number: 1))
    let stored = try #require(try store.checkpoint(trialID: trial.id))
    #expect(reproduced.standardOutput.contains("\"sha256\":\"\(stored.sha256)\""))
    let missing = try CommandRunner.run(["show", "st:9", "--db", db])
    #expect(missing.status != 0 && missing.standardError.contains("no trial 9"))
  }
}

/// `sweep run` against PostgreSQL (when `KAN_PG_URL` is set; skipped otherwise, required in CI).
@Suite(.serialized, TestService.postgres.condition) struct PostgresSweepRunTests {
  @Test func fourWorkersOnPostgresCompleteFortyTrialsAndRecoverAKilledWorker() throws {
    let url = try TestService.postgres.location()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let name = "pg-\(UUID().uuidString.prefix(8).lowercased())"
    let file = try SweepRunTests.write(
      """
      name: \(name)
      seeds: [0, 1, 2, 3]
      parameters:
        dataset: {value: toy_exp_4d}
        grid_size: {values: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}
        hidden_layers: {value: [8]}
        epochs: {value: 3}
        train_limit: {value: 20000}
        test_limit: {value: 100}
      """, to: directory)
    // Run in the test's folder: a PostgreSQL store's checkpoints and logs go to ./results/.
    let run = try SweepRunTests.start(
      ["run", file, "--db", url, "--workers", "4", "--plain"],
      log: directory.appendingPathComponent("run.log"), in: directory)
    defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
    let store = try SweepStore(postgresURL: url)
    var victim: TrialRecord?
    _ = try SweepRunTests.waitUntil(timeout: 120) {
      guard let sweep = try store.sweep(named: name) else { return false }
      for trial in try store.trials(sweepID: sweep.id) where trial.state == .running {
        if try !store.metrics(trialID: trial.id).isEmpty {
          victim = trial
          return true
        }
      }
      return false
    }
    let chosen = try #require(victim, "no trial reached its first epoch")
    kill(pid_t(chosen.workerPID ?? 0), SIGKILL)
    run.waitUntilExit()
    #expect(run.terminationStatus == 0)
    let sweep = try #require(try store.sweep(named: name))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.count == 40 && trials.allSatisfy { $0.state == .completed })
    #expect(trials.first { $0.id == chosen.id }?.attempt == 2)
    // Worker logs live under results/<sweep>/ relative to where `sweep run` ran.
    let logs = directory.appendingPathComponent("results")
    let completions = try SweepRunTests.completions(in: logs, sweep: name)
    #expect(completions.count == 40 && completions.values.allSatisfy { $0 == 1 }, "\(completions)")
    let log = try String(contentsOf: directory.appendingPathComponent("run.log"), encoding: .utf8)
    #expect(!log.contains("could not serialize") && !log.contains("deadlock"))
  }
}
