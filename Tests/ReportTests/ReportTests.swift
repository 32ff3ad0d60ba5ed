import Foundation
import GRDB
import Report
import TestServices
import Testing

@testable import Sweep

@Suite(.serialized) struct ReportTests {
  static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Snapshots")

  /// Compares `actual` with the golden file; `RECORD_SNAPSHOTS=1` rewrites it instead.
  static func assertSnapshot(_ actual: String, named name: String) throws {
    let url = snapshots.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
      try FileManager.default.createDirectory(at: snapshots, withIntermediateDirectories: true)
      try actual.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    if actual != expected {
      let actualLines = actual.components(separatedBy: "\n")
      let expectedLines = expected.components(separatedBy: "\n")
      var first = 0
      while first < actualLines.count && first < expectedLines.count
        && actualLines[first] == expectedLines[first]
      {
        first += 1
      }
      let expectedLine =
        first < expectedLines.count ? String(expectedLines[first].prefix(300)) : "<end>"
      let actualLine = first < actualLines.count ? String(actualLines[first].prefix(300)) : "<end>"
      let message =
        "\(name) differs from its snapshot at line \(first + 1) (re-record with RECORD_SNAPSHOTS=1 if intended)\n"
        + "expected: \(expectedLine)\nactual:   \(actualLine)"
      Issue.record(Comment(rawValue: message))
    }
  }

  @Test func csvAndHTMLMatchTheirSnapshots() throws {
    let directory = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ReportFixture.makeStore(at: directory)
    let output = try ReportWriter.write(
      store: store, names: [], to: directory.appendingPathComponent("report").path)
    #expect(output.files.map(\.name) == ["trials.csv", "metrics.csv", "index.html"])
    for name in ["trials.csv", "metrics.csv", "index.html"] {
      let text = try String(
        contentsOf: directory.appendingPathComponent("report/\(name)"), encoding: .utf8)
      try Self.assertSnapshot(text, named: name)
    }
  }

  @Test func reportShowsFailuresAndProgressAndIsSelfContained() throws {
    let directory = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ReportFixture.makeStore(at: directory)
    let sweeps = try SweepResults.load(from: store, names: ["fixture-grid", "fixture-running"])
    let html = HTMLReport(sweeps: sweeps).render()
    #expect(html.contains("Failed trials (1)"))
    #expect(html.contains("diverged: training loss became nan"))
    #expect(html.contains("In progress: 1 running, 1 queued"))
    #expect(html.contains("class=\"cols-2\""))
    #expect(
      html.contains("<svg") && html.contains("Pareto frontier") && html.contains("KAN vs MLP"))
    #expect(
      html.contains("learning curves") && html.contains("spline_order")
        && html.contains("completed trials ("))
    #expect(html.contains("★ 1"))
    for external in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
      #expect(!html.contains(external), "external reference \(external)")
    }
    let csv = CSVWriter.trials(sweeps)
    #expect(
      csv.components(separatedBy: "\r\n").count == 1 + sweeps.map(\.trials.count).reduce(0, +) + 1)
  }

  /// Python's csv module (RFC 4180) reads both files back with the expected shape.
  @Test func csvFilesParseAsRFC4180() throws {
    let directory = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ReportFixture.makeStore(at: directory)
    try store.write { db in
      try db.execute(
        "UPDATE trial SET error = ? WHERE state = 'failed'", ["line 1, \"quoted\"\nline 2"])
    }
    let output = directory.appendingPathComponent("report")
    _ = try ReportWriter.write(store: store, names: [], to: output.path)
    let script = """
      import csv, sys, math
      trials = list(csv.DictReader(open(sys.argv[1], newline="")))
      metrics = list(csv.DictReader(open(sys.argv[2], newline="")))
      failed = [t for t in trials if t["state"] == "failed"]
      assert failed and failed[0]["error"] == 'line 1, "quoted"\\nline 2', failed[0]["error"]
      assert all(len(t) == len(trials[0]) for t in trials)
      values = [float(m["value"]) for m in metrics]
      print(len(trials), len(metrics), all(not math.isnan(v) for v in values))
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "-c", script, output.appendingPathComponent("trials.csv").path,
      output.appendingPathComponent("metrics.csv").path,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let sweeps = try SweepResults.load(from: store, names: [])
    let metricCount = sweeps.flatMap(\.trials).flatMap { $0.metrics.values }.flatMap { $0 }
      .compactMap { $0 }.count
    #expect(
      text.trimmingCharacters(in: .whitespacesAndNewlines)
        == "\(sweeps.map(\.trials.count).reduce(0, +)) \(metricCount) True")
  }

  @Test func everyStoredStringIsEscaped() throws {
    let directory = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ReportFixture.makeStore(at: directory)
    let hostile = "<script>alert(1)</script>"
    try store.write { db in
      try db.execute(
        "UPDATE sweep SET name = ?, description = ? WHERE name = 'fixture-grid'",
        [hostile, "\"><img src=x onerror=alert(2)>"])
      try db.execute(
        "UPDATE trial SET error = ? WHERE state = 'failed'", ["<b>boom</b> & \"quotes\""])
      try db.execute("UPDATE environment SET cpu_model = ?", ["<i>cpu</i>"])
    }
    let html = HTMLReport(sweeps: try SweepResults.load(from: store, names: [])).render()
    #expect(!html.contains(hostile))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(!html.contains("<img src=x"))
    #expect(html.contains("&lt;b&gt;boom&lt;/b&gt; &amp; &quot;quotes&quot;"))
    #expect(!html.contains("<i>cpu</i>"))
    let csv = CSVWriter.trials(try SweepResults.load(from: store, names: []))
    #expect(csv.contains("\"<b>boom</b> & \"\"quotes\"\"\""))
  }

  /// A real browser loads the page without script errors; the screenshot is kept under
  /// .build/browser-check/ (inside the build folder, so the test leaves nothing else behind).
  @Test(TestService.chromium.condition) func headlessChromiumRendersThePage() throws {
    let chromium = try TestService.chromium.location()
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent()
    let output = package.appendingPathComponent(".build/browser-check")
    try? FileManager.default.removeItem(at: output)
    let directory = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ReportFixture.makeStore(at: directory)
    _ = try ReportWriter.write(store: store, names: [], to: output.path)
    let page = output.appendingPathComponent("index.html").absoluteString
    func browse(_ arguments: [String]) throws -> (String, String) {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: chromium)
      process.arguments =
        ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
        + arguments + [page]
      let out = Pipe()
      let err = Pipe()
      process.standardOutput = out
      process.standardError = err
      try process.run()
      let stdout = out.fileHandleForReading.readDataToEndOfFile()
      let stderr = err.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
    let (dom, log) = try browse(["--dump-dom"])
    #expect(dom.contains("data-ready=\"1\""), "the inline script did not finish")
    #expect(
      !log.contains("Uncaught"),
      "script error: \(log.split(separator: "\n").filter { $0.contains("Uncaught") })")
    let screenshot = output.appendingPathComponent("screenshot.png")
    _ = try browse([
      "--hide-scrollbars", "--window-size=1400,2200", "--screenshot=\(screenshot.path)",
    ])
    let size =
      (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
    #expect(size > 20_000, "screenshot missing or empty (\(size) bytes)")
  }
}
