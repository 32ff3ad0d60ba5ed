import Foundation

/// Runs the built `sweep` executable and captures its output.
struct CommandRunner {
  struct Outcome {
    let status: Int32
    let standardOutput: String
    let standardError: String
  }

  /// The package root (three levels above this file).
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// `../shared` beside the package.
  static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

  /// The `sweep` binary next to the test bundle.
  static var executable: URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("sweep")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/sweep")
  }

  static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
  )
    throws -> Outcome
  {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    return try capture(process)
  }

  /// Runs `process` to its end and returns its status and output.
  static func capture(_ process: Process) throws -> Outcome {
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
      standardError: String(decoding: errData, as: UTF8.self))
  }

  /// Runs `line` with `/bin/sh -c` as a user pasting it would, with a PATH that does not hold
  /// the built `sweep`.
  static func shell(_ line: String, in directory: URL? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", line]
    if let directory { process.currentDirectoryURL = directory }
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = "/usr/bin:/bin"
    process.environment = environment
    return try capture(process)
  }

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sweep-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
