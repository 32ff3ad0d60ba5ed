import Foundation
import KANLib
import Testing

@testable import Sweep

#if canImport(Glibc)
  import Glibc
#endif

/// What is stored is what ran, nothing is lost for good, and a store can be read by anyone.
@Suite(.serialized) struct TrustTests {
  static let tiny = """
    name: tiny
    seeds: [0, 1]
    parameters:
      dataset: {value: toy_xy}
      hidden_layers: {value: [4]}
      epochs: {value: 2}
      train_limit: {value: 200}
      test_limit: {value: 100}
    """

  /// Runs `tiny` in a fresh folder; returns the folder and the store path.
  static func runTiny() throws -> (URL, String) {
    let directory = try CommandRunner.temporaryDirectory()
    let file = try SweepRunTests.write(tiny, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db, "--plain"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    return (directory, db)
  }

  /// `show` reads the checkpoint file: a missing or modified file is reported (exit 1), and a
  /// MATCHing `rerun` puts the right bytes back.
  @Test func showAndRerunVerifyAndRestoreTheCheckpoint() throws {
    let (directory, db) = try Self.runTiny()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SweepStore(path: db, readOnly: true)
    let sweep = try #require(try store.sweep(named: "tiny"))
    let trial = try #require(try store.trial(sweepID: sweep.id, number: 1))
    let checkpoint = try #require(try store.checkpoint(trialID: trial.id))
    let intact = try CommandRunner.run(["show", "tiny:1", "--db", db])
    #expect(intact.status == 0 && intact.standardOutput.contains("verified"))
    // No partial files are left beside the checkpoints.
    let folder = URL(fileURLWithPath: checkpoint.path).deletingLastPathComponent().path
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasPrefix(".") })

    try FileManager.default.removeItem(atPath: checkpoint.path)
    let missing = try CommandRunner.run(["show", "tiny:1", "--db", db])
    #expect(missing.status == 1 && missing.standardOutput.contains("is missing"))
    let restored = try CommandRunner.run(["rerun", "tiny:1", "--db", db])
    #expect(restored.status == 0 && restored.standardOutput.contains("MATCH"))
    #expect(restored.standardOutput.contains("restored it from the retrained bytes"))
    #expect(Checkpoint.sha256Hex(ofFileAt: checkpoint.path) == checkpoint.sha256)

    var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint.path))
    bytes[bytes.count - 1] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: checkpoint.path))
    let modified = try CommandRunner.run(["show", "tiny:1", "--db", db, "--json"])
    #expect(modified.status == 1 && modified.standardOutput.contains("\"file\" : \"modified\""))
    #expect(try CommandRunner.run(["rerun", "tiny:1", "--db", db]).status == 0)
    #expect(Checkpoint.sha256Hex(ofFileAt: checkpoint.path) == checkpoint.sha256)
  }

  /// A trial that failed (here: a worker whose memory limit is too small) is retried by
  /// `run --retry-failed` once the cause is gone; its history keeps the earlier error.
  @Test func failedTrialsCanBeRetried() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(Self.tiny, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    #expect(try CommandRunner.run(["submit", file, "--db", db]).status == 0)
    let worker = try CommandRunner.run(
      ["worker", "--db", db, "--sweep", "tiny", "--memory-limit", "1K"], in: directory)
    #expect(worker.status == 0, "\(worker.standardError)")
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "tiny"))
    #expect(try store.trials(sweepID: sweep.id).allSatisfy { $0.state == .failed })
    let again = try CommandRunner.run(["run", file, "--db", db, "--plain"])
    #expect(again.status == 1, "without --retry-failed the failures stay")
    let retried = try CommandRunner.run(["run", file, "--db", db, "--plain", "--retry-failed"])
    #expect(retried.status == 0, "\(retried.standardOutput)\(retried.standardError)")
    #expect(retried.standardOutput.contains("2 failed trial(s) requeued"))
    let trials = try store.trials(sweepID: sweep.id)
    #expect(trials.allSatisfy { $0.state == .completed && $0.attempt == 2 && $0.attemptBase == 1 })
    let history = try store.events(trialID: trials[0].id)
    #expect(history.map(\.state) == [.failed, .queued])
    #expect(history.first?.message.contains("more than this worker's limit") == true)
    let show = try CommandRunner.run(["show", "tiny:0", "--db", db])
    #expect(show.standardOutput.contains("history: attempt 1 → failed"))
  }

  /// A sweep whose data set cannot be found is refused before anything is enqueued, with every
  /// folder that was searched.
  @Test func missingDataFailsBeforeEnqueuing() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(
      "name: nodata\nparameters:\n  dataset: {value: mnist}\n", to: directory)
    let db = directory.appendingPathComponent("store/sweeps.sqlite").path
    let outcome = try CommandRunner.run(
      ["run", file, "--db", db, "--data-dir", directory.appendingPathComponent("none").path],
      in: directory, environment: ["KAN_DATA_DIR": ""])
    #expect(outcome.status == 2)
    #expect(outcome.standardError.contains("mnist: data set not found. Searched:"))
    #expect(outcome.standardError.contains(directory.appendingPathComponent("none").path))
    #expect(!FileManager.default.fileExists(atPath: db))
  }

  /// Heartbeats come from their own thread: a trial whose data generation and evaluation take
  /// several times the grace (one training batch) is not taken from its healthy worker.
  @Test func longPhasesKeepTheirHeartbeat() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(
      """
      name: slowphase
      parameters:
        dataset: {value: toy_exp_4d}
        hidden_layers: {value: [8]}
        epochs: {value: 1}
        train_limit: {value: 64}
        test_limit: {value: 300000}
      """, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let outcome = try CommandRunner.run([
      "run", file, "--db", db, "--plain", "--workers", "1", "--grace", "1",
      "--heartbeat-interval", "0.2",
    ])
    #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
    let store = try SweepStore(path: db)
    let sweep = try #require(try store.sweep(named: "slowphase"))
    let trial = try #require(try store.trials(sweepID: sweep.id).first)
    #expect(trial.state == .completed && trial.attempt == 1, "\(trial.error ?? "")")
  }

  /// `status`, `show` and `report` work on a read-only store in a read-only folder without its
  /// WAL files, as another user when the tests run as root.
  @Test func readOnlyStoresCanBeRead() throws {
    let (directory, db) = try Self.runTiny()
    defer {
      chmod(directory.appendingPathComponent("ro").path, 0o755)
      try? FileManager.default.removeItem(at: directory)
    }
    let folder = directory.appendingPathComponent("ro")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let copy = folder.appendingPathComponent("store.sqlite").path
    try FileManager.default.copyItem(atPath: db, toPath: copy)
    chmod(copy, 0o444)
    chmod(folder.path, 0o555)
    let output = directory.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    chmod(output.path, 0o777)
    chmod(directory.path, 0o755)
    let asOther =
      getuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
    for arguments in [
      ["status", "--db", copy], ["show", "tiny:0", "--db", copy],
      ["report", "--db", copy, "--out", output.path],
    ] {
      let outcome = try Self.run(asOther + [CommandRunner.executable.path] + arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.output)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["store.sqlite"])
  }

  /// An empty, foreign or damaged file is named as such by every command, writes included.
  @Test func damagedStoresFailClearly() throws {
    let (directory, db) = try Self.runTiny()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("sweep.yaml").path
    let empty = directory.appendingPathComponent("empty.sqlite").path
    FileManager.default.createFile(atPath: empty, contents: Data())
    #expect(
      try CommandRunner.run(["status", "--db", empty]).standardError.contains(
        "not a kan-sweep store"))
    let foreign = directory.appendingPathComponent("notes.txt").path
    try "not a database\n".write(toFile: foreign, atomically: true, encoding: .utf8)
    for arguments in [["status", "--db", foreign], ["submit", file, "--db", foreign]] {
      let outcome = try CommandRunner.run(arguments)
      #expect(outcome.status != 0 && outcome.standardError.contains("not a kan-sweep store"))
    }
    let handle = try #require(FileHandle(forUpdatingAtPath: db))
    try handle.seek(toOffset: 4096 * 3)
    handle.write(Data(repeating: 0xFF, count: 4096))
    try handle.close()
    for arguments in [
      ["status", "--db", db], ["show", "tiny:0", "--db", db], ["submit", file, "--db", db],
    ] {
      let outcome = try CommandRunner.run(arguments)
      #expect(outcome.status != 0, "\(arguments)")
      #expect(outcome.standardError.contains("the store is damaged"), "\(outcome.standardError)")
    }
    let folder = try CommandRunner.run(["status", "--db", directory.path])
    #expect(folder.standardError.contains("is a folder"))
    let nowhere = directory.appendingPathComponent("no/such/store.sqlite").path
    #expect(
      try CommandRunner.run(["status", "--db", nowhere]).standardError.contains("no such store"))
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("no").path))
  }

  static func run(_ command: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    process.currentDirectoryURL = URL(fileURLWithPath: "/")
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
