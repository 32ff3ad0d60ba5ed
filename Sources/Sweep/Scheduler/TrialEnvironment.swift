import Foundation
import KANLib

/// Where a trial ran: enough to explain a result that does not reproduce.
public struct TrialEnvironment: Sendable, Equatable {
  /// kan-sweep's version.
  public var toolVersion: String
  /// `git rev-parse HEAD` of the working directory, when it is a repository.
  public var gitCommit: String?
  /// `openblas_get_corename()`.
  public var openBLASCore: String
  /// BLAS threads of the worker.
  public var blasThreads: Int
  /// The CPU's model name.
  public var cpuModel: String
  /// Host name.
  public var host: String
  /// Operating system.
  public var operatingSystem: String

  /// The environment of this process (git and CPU are looked up once per process).
  public static func current() -> TrialEnvironment {
    TrialEnvironment(
      toolVersion: Checkpoint.toolVersion, gitCommit: cachedGitCommit, openBLASCore: BLAS.coreName,
      blasThreads: BLAS.threads, cpuModel: cachedCPUModel, host: ProcessInfo.processInfo.hostName,
      operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString)
  }

  private static let cachedGitCommit = gitCommit()
  private static let cachedCPUModel = cpuModel()

  static func cpuModel() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
      let value = line.split(separator: ":", maxSplits: 1).last
    else { return "unknown" }
    return value.trimmingCharacters(in: .whitespaces)
  }

  static func gitCommit() -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "rev-parse", "HEAD"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? nil : text
  }
}
