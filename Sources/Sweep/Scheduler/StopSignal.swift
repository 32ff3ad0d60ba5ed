import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT / SIGTERM turned into a flag that long loops poll (no work in the signal handler).
public enum StopSignal {
  nonisolated(unsafe) private static var received: sig_atomic_t = 0

  /// Installs handlers for SIGINT and SIGTERM that only set the flag, and unblocks both: a
  /// process started with them blocked (a parent's signal mask is inherited through exec, as
  /// Foundation's `Process` does from a thread that blocks them) would otherwise never see them.
  public static func install() {
    signal(SIGINT) { _ in StopSignal.received = 1 }
    signal(SIGTERM) { _ in StopSignal.received = 1 }
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
  }

  /// Whether a stop was requested.
  public static var isRequested: Bool { received != 0 }
}
