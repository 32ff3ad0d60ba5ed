import Foundation
import Testing

@testable import Sweep

/// HEAD read from the repository's files agrees with `git rev-parse HEAD`.
@Suite struct TrialEnvironmentTests {
  /// Runs git in `folder`; returns its trimmed output.
  @discardableResult
  static func git(_ arguments: [String], in folder: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", folder.path] + arguments
    var environment = ProcessInfo.processInfo.environment
    for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = "test" }
    for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "test@example.org" }
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "git \(arguments) failed")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func noRepositoryMeansNoCommitAndNoGitProcess() {
    #expect(
      TrialEnvironment.gitCommitFromFiles(startingAt: URL(fileURLWithPath: "/proc"))
        == .notARepository)
  }

  @Test func headFromFilesMatchesGit() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "kan-git-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.git(["init", "-q", "-b", "main"], in: folder)
    // An unborn branch is left to git (which reports no commit).
    #expect(TrialEnvironment.gitCommitFromFiles(startingAt: folder) == .unknownLayout)
    try "a".write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
    try Self.git(["add", "a.txt"], in: folder)
    try Self.git(["commit", "-q", "-m", "one"], in: folder)
    let nested = folder.appendingPathComponent("results/deep")
    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)

    // A loose ref, from the top and from a subfolder.
    let first = try Self.git(["rev-parse", "HEAD"], in: folder)
    #expect(TrialEnvironment.gitCommitFromFiles(startingAt: folder) == .found(first))
    #expect(TrialEnvironment.gitCommitFromFiles(startingAt: nested) == .found(first))

    // Packed refs.
    try Self.git(["pack-refs", "--all"], in: folder)
    #expect(TrialEnvironment.gitCommitFromFiles(startingAt: nested) == .found(first))

    // A new commit on top of the packed ref (loose again), then a detached HEAD.
    try Self.git(["commit", "-q", "--allow-empty", "-m", "two"], in: folder)
    let second = try Self.git(["rev-parse", "HEAD"], in: folder)
    #expect(second != first)
    #expect(TrialEnvironment.gitCommitFromFiles(startingAt: folder) == .found(second))
    try Self.git(["checkout", "-q", first], in: folder)
    #expect(TrialEnvironment.gitCommitFromFiles(startingAt: folder) == .found(first))
  }
}
