import Foundation
import Testing

/// Files written to break the tool: each must be refused by `sweep submit` with exit status 2, a
/// message that says what is wrong, quickly, and without creating the store.
@Suite struct HostileInputTests {
  struct Case: Sendable, CustomStringConvertible {
    let name: String
    let text: String
    let fragment: String
    var description: String { name }
  }

  static let parameters = "parameters:\n  dataset: {value: toy_xy}\n"

  static func nested(_ depth: Int) -> String {
    "name: deep\nparameters:\n  hidden_layers: {value: " + String(repeating: "[", count: depth)
      + String(repeating: "]", count: depth) + "}\n"
  }

  static func aliasBomb() -> String {
    var lines = ["name: bomb", "parameters:", "  dataset: {value: toy_xy}"]
    lines.append("  grid_size: {values: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}")
    for level in 1...9 {
      lines.append(
        "  scale_noise_\(level): &a\(level) ["
          + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static let cases: [Case] = [
    Case(name: "alias bomb", text: aliasBomb(), fragment: "unknown parameter 'scale_noise_1'"),
    Case(name: "100,000-deep nesting", text: nested(100_000), fragment: "nesting"),
    Case(
      name: "100,000-deep block sequence",
      text: "name: d\nparameters:\n  hidden_layers:\n    value:\n"
        + String(repeating: "- ", count: 100_000) + "1\n",
      fragment: "YAML"),
    Case(
      name: "10 MB file",
      text: "name: big\n" + parameters + "# " + String(repeating: "x", count: 10_000_000) + "\n",
      fragment: "at most 1048576"),
    Case(
      name: "10^9 grid with run_cap",
      text: "name: g\nrun_cap: 100\nparameters:\n"
        + [
          "grid_size", "epochs", "batch_size", "update_grid_every", "train_limit",
          "test_limit", "update_grid_epochs", "spline_order", "hidden_layers",
        ].enumerated().map {
          index, name in
          let values = (1...10).map { index == 8 ? "[\($0)]" : String($0) }
          return "  \(name): {values: [\(values.joined(separator: ", "))]}\n"
        }.joined(),
      fragment: "more than the 100000 a sweep file may plan"),
    Case(
      name: "10^19 grid",
      text: "name: g\nparameters:\n"
        + [
          "grid_size", "epochs", "batch_size", "update_grid_every", "train_limit", "test_limit",
          "update_grid_epochs",
        ].map {
          "  \($0): {values: [\((1...600).map(String.init).joined(separator: ", "))]}\n"
        }.joined(),
      fragment: "more than 9223372036854775807 trials, more than the 100000"),
    Case(
      name: "int_uniform to Int.max",
      text: "name: r\nmethod: random\nrun_cap: 3\nparameters:\n"
        + "  grid_size: {distribution: int_uniform, min: 1, max: 9223372036854775807}\n",
      fragment: "outside grid_size's range (an integer in 1…1000)"),
    Case(
      name: "overflowing integer",
      text: "name: o\nparameters:\n  epochs: {value: 99999999999999999999999}\n",
      fragment: "must be an integer"),
    Case(
      name: "overflowing float",
      text: "name: o\nparameters:\n  regularize_entropy: {values: [1e39, 2e39]}\n",
      fragment: "must be a number in [0, 1000000]"),
    Case(
      name: "infinite float", text: "name: o\nparameters:\n  learning_rate: {value: 1e400}\n",
      fragment: "must be a number"),
    Case(name: "name ..", text: "name: ..\n" + parameters, fragment: "does not give a usable name"),
    Case(
      name: "duplicate key", text: "name: d\n" + parameters + "  dataset: {value: toy_xy}\n",
      fragment: "hostile.yaml:4:3: dataset: appears twice"),
    Case(
      name: "memory", text: "name: m\n" + parameters + "  hidden_layers: {value: [60000, 60000]}\n",
      fragment: "of memory, more than the limit"),
  ]

  @Test(arguments: cases)
  func refusedWithExitTwoAndNothingWritten(_ hostile: Case) throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("hostile.yaml")
    try hostile.text.write(to: file, atomically: true, encoding: .utf8)
    let store = directory.appendingPathComponent("store/sweeps.sqlite")
    let start = Date()
    let outcome = try CommandRunner.run(["submit", file.path, "--db", store.path])
    #expect(Date().timeIntervalSince(start) < 10, "\(hostile): too slow")
    #expect(outcome.status == 2, "\(hostile): \(outcome.standardError)")
    #expect(
      outcome.standardError.contains(hostile.fragment),
      "\(hostile): \(outcome.standardError.prefix(400))")
    #expect(outcome.standardError.hasPrefix("Error: \(file.path)"), "\(hostile)")
    #expect(!FileManager.default.fileExists(atPath: store.deletingLastPathComponent().path))
  }

  /// Free-text names (W&B's) are shown as written and stored under a slug that stays inside the
  /// store's folder and cannot be read as an option.
  @Test(arguments: [
    ("-rf", "rf"), ("../../etc", "etc"), ("a/b", "a-b"), ("My sweep #1", "My-sweep-1"),
    (String(repeating: "a", count: 101), String(repeating: "a", count: 100)),
  ])
  func freeTextNamesAreStoredUnderASlug(_ name: String, _ slug: String) throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("named.yaml")
    try "name: '\(name)'\n\(Self.parameters)".write(to: file, atomically: true, encoding: .utf8)
    let db = directory.appendingPathComponent("store/sweeps.sqlite").path
    let outcome = try CommandRunner.run(["submit", file.path, "--db", db])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    #expect(outcome.standardOutput.contains("sweep \(slug):"), "\(outcome.standardOutput)")
    let status = try CommandRunner.run(["status", slug, "--db", db])
    #expect(status.status == 0)
  }

  @Test func nonUTF8BytesAreLocated() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("latin1.yaml")
    try Data(("name: x\n" + Self.parameters + "# caf").utf8 + [0xE9, 0x0A]).write(to: file)
    let outcome = try CommandRunner.run(["validate", file.path])
    #expect(outcome.status == 2)
    #expect(
      outcome.standardError.contains(":4: is not UTF-8 text: invalid byte 0xe9 at byte offset 52"),
      "\(outcome.standardError)")
  }

  /// Option values are checked before anything starts (a negative grace once made every worker
  /// exit at argument parsing while the scheduler respawned them).
  @Test(arguments: [
    ["--grace=-1"], ["--heartbeat-interval", "0"], ["--workers", "0"], ["--max-attempts", "0"],
  ])
  func runOptionsAreValidated(_ options: [String]) throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try SweepRunTests.write("name: ok\n" + Self.parameters, to: directory)
    let db = directory.appendingPathComponent("s.sqlite").path
    let outcome = try CommandRunner.run(["run", file, "--db", db] + options)
    #expect(outcome.status != 0 && outcome.standardError.contains("must"), "\(options)")
    #expect(!FileManager.default.fileExists(atPath: db))
  }
}
