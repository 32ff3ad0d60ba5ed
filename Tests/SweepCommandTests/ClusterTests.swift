import Foundation
import KANLib
import TestServices
import Testing

@testable import Sweep

#if canImport(Glibc)
  import Glibc
#endif

/// Standalone workers, `sweep slurm` and `sweep export` (PostgreSQL parts need `KAN_PG_URL`).
@Suite(.serialized) struct ClusterTests {
  /// The generated job array against a golden file (re-record with RECORD_SNAPSHOTS=1).
  @Test func slurmScriptMatchesItsSnapshot() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(
      "name: cluster\nparameters:\n  dataset: {value: toy_xy}\n  grid_size: {values: [3, 5]}\n",
      to: directory)
    let outcome = try CommandRunner.run(
      [
        "slurm", file, "--db", "postgres://kan:secret@db.example:5432/sweeps", "--array", "8",
        "--cpus-per-task", "2",
        "--time", "02:00:00", "--partition", "cpu", "--executable", "/opt/kan-sweep/bin/sweep",
        "--out", directory.appendingPathComponent("job.sbatch").path,
      ], in: directory)
    // The URL's host does not exist: the command must fail cleanly before writing anything.
    #expect(outcome.status != 0)
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("job.sbatch").path))
    let sqlite = try CommandRunner.run(
      [
        "slurm", file, "--db", "cluster.sqlite", "--array", "8", "--cpus-per-task", "2", "--time",
        "02:00:00",
        "--partition", "cpu", "--executable", "/opt/kan-sweep/bin/sweep", "--data-dir", "/data/kan",
        "--out", "job.sbatch",
      ], in: directory)
    #expect(sqlite.status == 0, "\(sqlite.standardError)")
    #expect(sqlite.standardOutput.contains("2 trials planned, 2 new"))
    let script = try String(
      contentsOf: directory.appendingPathComponent("job.sbatch"), encoding: .utf8)
    let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "Snapshots/slurm.sbatch")
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
      try script.write(to: golden, atomically: true, encoding: .utf8)
    }
    #expect(script == (try String(contentsOf: golden, encoding: .utf8)))
    let mode =
      try FileManager.default.attributesOfItem(
        atPath: directory.appendingPathComponent("job.sbatch").path)[
        .posixPermissions] as? Int
    #expect(mode == 0o600)
  }

  /// `sweep slurm --submit` on a real single-node Slurm (CI starts one with scripts/slurm-server
  /// and sets `SLURM_CONF`): the job array's workers finish the sweep.
  @Test(TestService.slurm.condition, TestService.postgres.condition)
  func slurmJobArrayRunsTheSweep() throws {
    _ = try TestService.slurm.location()
    let url = try TestService.postgres.location()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let name = "sl-\(UUID().uuidString.prefix(8).lowercased())"
    let file = try SweepRunTests.write(
      """
      name: \(name)
      seeds: [0, 1]
      parameters:
        dataset: {value: toy_xy}
        grid_size: {values: [3, 4, 5]}
        epochs: {value: 1}
        train_limit: {value: 300}
      """, to: directory)
    let outcome = try CommandRunner.run(
      [
        "slurm", file, "--db", url, "--array", "2", "--time", "00:10:00", "--idle-exit", "2",
        "--executable", CommandRunner.executable.path, "--submit",
      ], in: directory)
    #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
    #expect(outcome.standardOutput.contains("submitted job "))
    let store = try SweepStore(postgresURL: url)
    let finished = try SweepRunTests.waitUntil(timeout: 180) {
      guard let sweep = try store.sweep(named: name) else { return false }
      return try store.counts(sweepID: sweep.id)[.completed] == 6
    }
    #expect(
      finished,
      "the job array did not complete the sweep; see \(directory.path)/results/\(name)/slurm")
    let outputs = try FileManager.default.contentsOfDirectory(
      atPath: directory.appendingPathComponent("results/\(name)/slurm").path)
    #expect(outputs.filter { $0.hasSuffix(".out") }.count == 2, "\(outputs)")
  }

  /// `submit` on the head node, two standalone `worker`s anywhere, then `export` to SQLite and a
  /// report from the copy.
  @Test(TestService.postgres.condition)
  func standaloneWorkersOnPostgresAndExportToSQLite() throws {
    let url = try TestService.postgres.location()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let name = "cl-\(UUID().uuidString.prefix(8).lowercased())"
    let file = try SweepRunTests.write(
      """
      name: \(name)
      seeds: [0, 1]
      parameters:
        dataset: {value: toy_xy}
        grid_size: {values: [3, 4, 5, 6]}
        epochs: {value: 2}
        train_limit: {value: 200}
        test_limit: {value: 50}
      """, to: directory)
    #expect(try CommandRunner.run(["submit", file, "--db", url], in: directory).status == 0)
    let workers = try (0..<2).map { index in
      try SweepRunTests.start(
        ["worker", "--db", url, "--sweep", name, "--idle-exit", "1"],
        log: directory.appendingPathComponent("worker-\(index).log"), in: directory)
    }
    for worker in workers { worker.waitUntilExit() }
    #expect(workers.allSatisfy { $0.terminationStatus == 0 })
    let source = try SweepStore(postgresURL: url)
    let sweep = try #require(try source.sweep(named: name))
    let trials = try source.trials(sweepID: sweep.id)
    #expect(trials.count == 8 && trials.allSatisfy { $0.state == .completed })

    let copy = directory.appendingPathComponent("copy.sqlite").path
    let export = try CommandRunner.run(
      ["export", "--db", url, "--to", copy, "--sweep", name], in: directory)
    #expect(export.status == 0, "\(export.standardError)")
    let target = try SweepStore(path: copy)
    let copied = try #require(try target.sweep(named: name))
    let copiedTrials = try target.trials(sweepID: copied.id)
    #expect(copiedTrials.map(\.identity) == trials.map(\.identity))
    for (original, mirror) in zip(trials, copiedTrials) {
      let a = try source.metrics(trialID: original.id).map {
        "\($0.epoch)/\($0.name)/\($0.value.bitPattern)"
      }
      let b = try target.metrics(trialID: mirror.id).map {
        "\($0.epoch)/\($0.name)/\($0.value.bitPattern)"
      }
      #expect(a == b)
      #expect(
        try source.checkpoint(trialID: original.id)?.sha256
          == target.checkpoint(trialID: mirror.id)?.sha256)
      #expect(
        try source.environment(trialID: original.id) == target.environment(trialID: mirror.id))
    }
    let report = try CommandRunner.run(
      ["report", name, "--db", copy, "--out", "report"], in: directory)
    #expect(report.status == 0)
    let direct = try CommandRunner.run(
      ["report", name, "--db", url, "--out", "direct"], in: directory)
    #expect(direct.status == 0)
    #expect(
      try Data(contentsOf: directory.appendingPathComponent("report/trials.csv"))
        == Data(contentsOf: directory.appendingPathComponent("direct/trials.csv")))
  }
}
