import Foundation
import Sweep
import TestServices
import Testing

/// Commands that paste, options that say what is wrong, two schedulers that say they share a
/// sweep, a trial page and a live report (issue: the morning after).
@Suite struct PasteAndWatchTests {
  static var dataDirectory: URL { CommandRunner.shared.appendingPathComponent("data") }

  static func requireData() throws {
    let folder = dataDirectory.appendingPathComponent("fashion-mnist")
    try #require(
      FileManager.default.fileExists(atPath: folder.path),
      "the Fashion-MNIST files are missing from \(folder.path)")
  }

  @Test func trainRefusesToOverwriteUnlessTold() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let arguments = [
      "train", "--dataset", "toy_xy", "--num-epochs", "1", "--hidden-dim", "4", "--train-limit",
      "64", "--save_path", "model.safetensors",
    ]
    #expect(try CommandRunner.run(arguments, in: directory).status == 0)
    let path = directory.appendingPathComponent("model.safetensors").path
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let refused = try CommandRunner.run(arguments + ["--seed", "9"], in: directory)
    #expect(refused.status != 0)
    #expect(
      refused.standardError.contains("model.safetensors exists")
        && refused.standardError.contains("--overwrite"), "\(refused.standardError)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    let replaced = try CommandRunner.run(arguments + ["--seed", "9", "--overwrite"], in: directory)
    #expect(replaced.status == 0, "\(replaced.standardError)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != before)
  }

  @Test(arguments: [
    (["train", "--spline-order", "-1"], "--spline-order"),
    (["train", "--threads", "-2"], "--threads"),
    (["train", "--hidden-dim", "-3"], "--hidden-dim"),
    (["train", "--num-epochs", "0"], "--num-epochs"),
    (["train", "--learning-rate", "-0.1"], "--learning-rate"),
    (["eval", "--checkpoint", "x.safetensors", "--threads", "-1"], "--threads"),
    (["run", "x.yaml", "--workers", "-1"], "--workers"),
    (["report", "--watch", "-5"], "--watch"),
    (["bench", "--grid-size", "-2"], "--grid-size"),
  ])
  func negativeOrZeroValuesNameTheOptionAndItsRange(arguments: [String], option: String) throws {
    let outcome = try CommandRunner.run(arguments)
    #expect(outcome.status != 0)
    #expect(!outcome.standardError.contains("Missing value"), "\(outcome.standardError)")
    #expect(
      outcome.standardError.contains(option) && outcome.standardError.contains(" must be ")
        && (outcome.standardError.contains("…") || outcome.standardError.contains("[")),
      "\(outcome.standardError)")
  }

  @Test func evalTakesTheDatasetFromTheCheckpointAndRefusesAnother() throws {
    try Self.requireData()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = Self.dataDirectory.path
    let trained = try CommandRunner.run(
      [
        "train", "--dataset", "fashion_mnist", "--num-epochs", "1", "--hidden-dim", "4",
        "--train-limit", "256", "--test-limit", "256", "--data-dir", data, "--save-path",
        "f.safetensors",
      ], in: directory)
    #expect(trained.status == 0, "\(trained.standardError)")
    let own = try CommandRunner.run(
      ["eval", "--checkpoint", "f.safetensors", "--data-dir", data, "--json"], in: directory)
    #expect(own.status == 0, "\(own.standardError)")
    #expect(own.standardOutput.contains("\"accuracy\""))
    let other = try CommandRunner.run(
      ["eval", "--checkpoint", "f.safetensors", "--dataset", "mnist", "--data-dir", data],
      in: directory)
    #expect(other.status != 0)
    #expect(
      other.standardError.contains("trained on fashion_mnist, not mnist")
        && other.standardError.contains("--allow-other-dataset"), "\(other.standardError)")
    let forced = try CommandRunner.run(
      [
        "eval", "--checkpoint", "f.safetensors", "--dataset", "mnist", "--data-dir", data,
        "--allow-other-dataset", "--json",
      ], in: directory)
    #expect(forced.status == 0, "\(forced.standardError)")
  }

  /// A sweep run with --data-dir: `show` prints commands that carry it; pasted in a shell from
  /// another folder (no `sweep` on PATH) they reproduce the stored checkpoint; `show --html`
  /// draws what the KAN learned.
  @Test func pastedCommandsCarryTheDataFolderAndReproduce() throws {
    try Self.requireData()
    let directory = try CommandRunner.temporaryDirectory()
    let elsewhere = try CommandRunner.temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(at: directory)
      try? FileManager.default.removeItem(at: elsewhere)
    }
    let file = try SweepRunTests.write(
      "name: paste\nparameters:\n  dataset: {value: fashion_mnist}\n"
        + "  hidden_layers: {value: [4]}\n  epochs: {value: 1}\n  train_limit: {value: 300}\n"
        + "  test_limit: {value: 300}\n", to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let data = Self.dataDirectory.standardizedFileURL.path
    let run = try CommandRunner.run(["run", file, "--db", db, "--plain", "--data-dir", data])
    #expect(run.status == 0, "\(run.standardError)")
    let show = try CommandRunner.run(["show", "paste:0", "--db", db])
    let lines = show.standardOutput.split(separator: "\n").map(String.init)
    let reproduce = try #require(lines.first { $0.hasPrefix("reproduce: ") })
    let rerun = try #require(lines.first { $0.hasPrefix("rerun: ") })
    for line in [reproduce, rerun] {
      #expect(line.contains(" --data-dir \(data)"), "\(line)")
      #expect(line.contains(CommandRunner.executable.path + " "), "\(line)")
    }
    let pasted = try CommandRunner.shell(
      String(reproduce.dropFirst("reproduce: ".count)) + " --json", in: elsewhere)
    #expect(pasted.status == 0, "\(pasted.standardError)")
    let stored = try #require(
      try SweepStore(path: db).sweep(named: "paste").flatMap {
        try SweepStore(path: db).trial(sweepID: $0.id, number: 0)
      }.flatMap { try SweepStore(path: db).checkpoint(trialID: $0.id) })
    #expect(pasted.standardOutput.contains("\"sha256\":\"\(stored.sha256)\""))
    let again = try CommandRunner.shell(
      String(rerun.dropFirst("rerun: ".count)).trimmingCharacters(in: .whitespaces),
      in: elsewhere)
    #expect(again.status == 0 && again.standardOutput.contains("MATCH paste:0"), "\(again)")
    let page = elsewhere.appendingPathComponent("trial.html").path
    let html = try CommandRunner.run(["show", "paste:0", "--db", db, "--html", "--out", page])
    #expect(html.status == 0, "\(html.standardError)")
    let text = try String(contentsOfFile: page, encoding: .utf8)
    #expect(text.contains("layer 0: 784 → 4") && text.contains("layer 1: 4 → 10"))
    #expect(text.contains("which pixels matter") && text.contains("copy rerun"))
  }

  /// Polls `condition` every 0.1 s for up to `seconds`.
  static func wait(seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if try condition() { return true }
      usleep(100_000)
    }
    return try condition()
  }

  /// Starts `sweep` with `arguments` in the background, its output going to `log`.
  static func start(_ arguments: [String], log: URL) throws -> Process {
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let process = Process()
    process.executableURL = CommandRunner.executable
    process.arguments = arguments
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
  }

  static let slowSweep =
    "name: slow\nseeds: [0, 1, 2]\nparameters:\n  dataset: {value: toy_exp_sin}\n"
    + "  grid_size: {values: [3, 5]}\n  hidden_layers: {value: [8]}\n  epochs: {value: 40}\n"
    + "  train_limit: {value: 2000}\n"

  @Test func twoSchedulersOnOneSweepSayTheyShareIt() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(Self.slowSweep, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let first = try Self.start(
      ["run", file, "--db", db, "--plain", "--workers", "1"],
      log: directory.appendingPathComponent("first.log"))
    defer { if first.isRunning { first.terminate() } }
    let running = try Self.wait(seconds: 60) {
      let status = try CommandRunner.run(["status", "slow", "--db", db, "--json"])
      return status.standardOutput.contains("heartbeat_age_seconds")
    }
    #expect(running, "the first scheduler never started a trial")
    let second = try CommandRunner.run(["run", file, "--db", db, "--plain", "--workers", "1"])
    first.waitUntilExit()
    #expect(second.status == 0 && first.terminationStatus == 0, "\(second.standardError)")
    #expect(
      second.standardOutput.contains("another scheduler is working on sweep slow")
        && second.standardOutput.contains("shares the queue"), "\(second.standardOutput)")
    let counts = try SweepRunTests.completions(in: directory, sweep: "slow")
    #expect(counts.count == 6 && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
  }

  /// `sweep report --watch` rewrites the page while trials complete and stops with a static
  /// page; headless Chromium reloads the live page and keeps its scroll position.
  @Test(TestService.chromium.condition) func reportWatchKeepsALivePage() throws {
    let chromium = try TestService.chromium.location()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write(Self.slowSweep, to: directory)
    let db = directory.appendingPathComponent("sweeps.sqlite").path
    let out = directory.appendingPathComponent("live")
    #expect(try CommandRunner.run(["submit", file, "--db", db]).status == 0)
    let watch = try Self.start(
      ["report", "--db", db, "--out", out.path, "--watch", "0.5"],
      log: directory.appendingPathComponent("watch.log"))
    defer { if watch.isRunning { watch.terminate() } }
    let run = try Self.start(
      ["run", file, "--db", db, "--plain", "--workers", "2"],
      log: directory.appendingPathComponent("run.log"))
    defer { if run.isRunning { run.terminate() } }
    let page = out.appendingPathComponent("index.html")
    var seen: [String] = []
    var liveCopy: String?
    while run.isRunning {
      if let text = try? String(contentsOf: page, encoding: .utf8),
        let badge = text.range(of: #"\d+ completed"#, options: .regularExpression)
      {
        let count = String(text[badge])
        if seen.last != count { seen.append(count) }
        if text.contains("data-reload=\"500\"") { liveCopy = text }
      }
      usleep(100_000)
    }
    #expect(run.terminationStatus == 0)
    let finished = try Self.wait(seconds: 10) { !watch.isRunning }
    #expect(finished, "report --watch did not stop when the sweep ended")
    let log = try String(
      contentsOf: directory.appendingPathComponent("watch.log"), encoding: .utf8)
    #expect(log.contains("the report is final"))
    #expect(seen.count >= 3, "the page changed only \(seen.count) times: \(seen)")
    let final = try String(contentsOf: page, encoding: .utf8)
    #expect(final.contains("6 completed") && !final.contains("data-reload=\""))
    // In a real browser. The first live page and the final one show different counts; the
    // live page arms its reload and restores the scroll position from its URL; loaded at the
    // URL it writes before reloading (`#y=…&n=…`), it counts the reload and keeps the place.
    // (The timer firing itself is not run here: headless Chromium's virtual time stalls on a
    // page that navigates.)
    let live = try #require(liveCopy, "no live page was seen")
    let browserFolder = directory.appendingPathComponent("browser")
    try FileManager.default.createDirectory(at: browserFolder, withIntermediateDirectories: true)
    let livePage = browserFolder.appendingPathComponent("live.html")
    try live.write(to: livePage, atomically: true, encoding: .utf8)
    func dom(_ url: String) throws -> String {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: chromium)
      process.arguments = [
        "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,700",
        "--virtual-time-budget=300", "--dump-dom", url,
      ]
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = FileHandle.nullDevice
      try process.run()
      let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      return text
    }
    func completed(_ text: String) -> String? {
      text.firstMatch(of: /(\d+) completed/).map { String($0.1) }
    }
    let first = try dom(livePage.absoluteString + "#y=250")
    let last = try dom(page.absoluteString)
    #expect(completed(first) != nil && completed(first) != completed(last), "\(seen)")
    #expect(completed(last) == "6")
    #expect(first.contains("data-reload=\"500\"") && !last.contains("data-reload=\""))
    #expect(first.contains("data-loads=\"1\"") && first.contains("data-scroll=\"250\""))
    let reloaded = try dom(livePage.absoluteString + "#y=250&n=1")
    #expect(reloaded.contains("data-loads=\"2\""), "the reload was not counted")
    #expect(reloaded.contains("data-scroll=\"250\""), "scroll position lost on reload")
  }
}
