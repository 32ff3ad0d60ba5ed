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
  /// The `--data-dir` the worker was given, made absolute (nil: the default search path).
  public var dataDirectory: String?

  /// Creates an environment record.
  public init(
    toolVersion: String, gitCommit: String?, openBLASCore: String, blasThreads: Int,
    cpuModel: String, host: String, operatingSystem: String, dataDirectory: String? = nil
  ) {
    self.toolVersion = toolVersion
    self.gitCommit = gitCommit
    self.openBLASCore = openBLASCore
    self.blasThreads = blasThreads
    self.cpuModel = cpuModel
    self.host = host
    self.operatingSystem = operatingSystem
    self.dataDirectory = dataDirectory
  }

  /// The environment of this process (git, CPU, host and OS are looked up once per process),
  /// with the data folder it was given (a relative one is made absolute).
  public static func current(dataDirectory: String? = nil) -> TrialEnvironment {
    TrialEnvironment(
      toolVersion: Checkpoint.toolVersion, gitCommit: cachedGitCommit, openBLASCore: BLAS.coreName,
      blasThreads: BLAS.threads, cpuModel: cachedCPUModel, host: cachedHost,
      operatingSystem: cachedOperatingSystem,
      dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
  }

  private static let cachedGitCommit: String? = {
    switch gitCommitFromFiles() {
    case .found(let commit): return commit
    case .notARepository: return nil
    case .unknownLayout: return gitCommit()
    }
  }()

  /// What reading the repository's files told about HEAD.
  enum GitLookup: Equatable {
    /// HEAD's commit.
    case found(String)
    /// No `.git` in the folder or above it.
    case notARepository
    /// A `.git` file (worktree, submodule), an unborn branch or an unusual ref: ask git.
    case unknownLayout
  }
  private static let cachedCPUModel = cpuModel()
  private static let cachedHost = ProcessInfo.processInfo.hostName
  private static let cachedOperatingSystem = ProcessInfo.processInfo.operatingSystemVersionString

  /// HEAD's commit read from the repository's files (no `git` process, which costs a worker
  /// tens of milliseconds to start): `.git/HEAD`, then the loose ref or `packed-refs`.
  static func gitCommitFromFiles(
    startingAt start: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  ) -> GitLookup {
    func read(_ url: URL) -> String? {
      (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(
        in: .whitespacesAndNewlines)
    }
    func isCommit(_ text: String) -> Bool {
      text.count == 40 && text.allSatisfy { $0.isHexDigit }
    }
    var folder = start.standardizedFileURL
    while true {
      let candidate = folder.appendingPathComponent(".git")
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) {
        // A worktree's or submodule's `.git` file points elsewhere: leave those to git.
        guard isDirectory.boolValue, let head = read(candidate.appendingPathComponent("HEAD"))
        else { return .unknownLayout }
        if isCommit(head) { return .found(head) }
        guard head.hasPrefix("ref: ") else { return .unknownLayout }
        let reference = String(head.dropFirst(5))
        if let loose = read(candidate.appendingPathComponent(reference)), isCommit(loose) {
          return .found(loose)
        }
        let packed = read(candidate.appendingPathComponent("packed-refs")) ?? ""
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + reference) {
          let commit = String(line.prefix(40))
          if isCommit(commit) { return .found(commit) }
        }
        return .unknownLayout
      }
      if folder.path == "/" { return .notARepository }
      folder = folder.deletingLastPathComponent().standardizedFileURL
    }
  }

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
