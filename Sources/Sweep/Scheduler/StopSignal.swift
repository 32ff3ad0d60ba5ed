import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT / SIGTERM turned into a flag that long loops poll (no work in the signal handler).
public enum StopSignal {
  nonisolated(unsafe) private static var received: sig_atomic_t = 0

  /// Installs handlers for SIGINT and SIGTERM that only set the flag.
  public static func install() {
    signal(SIGINT) { _ in StopSignal.received = 1 }
    signal(SIGTERM) { _ in StopSignal.received = 1 }
  }

  /// Whether a stop was requested.
  public static var isRequested: Bool { received != 0 }
}
