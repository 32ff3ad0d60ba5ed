import Foundation

/// Who runs a trial: host and process id, checked on every update so that a worker whose trial
/// was taken from it (after its heartbeat went stale) can no longer write to it.
public struct WorkerIdentity: Sendable, Equatable {
  /// Host name.
  public let host: String
  /// Process id.
  public let pid: Int

  /// This process.
  public static var current: WorkerIdentity {
    WorkerIdentity(
      host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier))
  }

  /// Creates an identity.
  public init(host: String, pid: Int) {
    self.host = host
    self.pid = pid
  }
}
