import Foundation
import Testing

/// A service some tests need (a database server, a scheduler, a browser).
///
/// A test that needs one takes its ``condition`` trait: when the service is absent the test is
/// reported as skipped, not passed. Under `CI=true` (or `REQUIRE_<SERVICE>=1`, which
/// `scripts/test` sets) the service must be there: the test runs, and ``location()`` fails it.
public enum TestService: String, Sendable, CaseIterable {
  /// A PostgreSQL database named by `KAN_PG_URL` (`scripts/postgres-server start`).
  case postgres
  /// A Slurm cluster configured by `SLURM_CONF` (`scripts/slurm-server start`, as root).
  case slurm
  /// A Chromium executable for the headless browser check.
  case chromium

  static var environment: [String: String] { ProcessInfo.processInfo.environment }

  /// Where the service is (URL, configuration file, executable), or nil when absent.
  public var availableLocation: String? {
    switch self {
    case .postgres, .slurm:
      let value = Self.environment[self == .postgres ? "KAN_PG_URL" : "SLURM_CONF"]
      return value?.isEmpty == false ? value : nil
    case .chromium:
      return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
      }
    }
  }

  /// Whether this run must have the service: `CI=true` or `REQUIRE_<SERVICE>=1`.
  public var isRequired: Bool {
    Self.environment["CI"] == "true"
      || Self.environment["REQUIRE_\(rawValue == "chromium" ? "BROWSER" : rawValue.uppercased())"]
        == "1"
  }

  /// How to provide the service.
  public var hint: String {
    switch self {
    case .postgres: return "set KAN_PG_URL (e.g. KAN_PG_URL=$(bash scripts/postgres-server start))"
    case .slurm: return "set SLURM_CONF (as root: SLURM_CONF=$(bash scripts/slurm-server start))"
    case .chromium: return "install chromium"
    }
  }

  /// Runs the test when the service is there or required; otherwise reports it skipped.
  public var condition: ConditionTrait {
    .enabled(
      if: availableLocation != nil || isRequired, "\(rawValue) is not available: \(hint)")
  }

  /// The service's location; fails the test when it is absent (only reached when required).
  public func location(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    try #require(
      availableLocation,
      "\(rawValue) is required here (CI=true or REQUIRE_*) but absent: \(hint)",
      sourceLocation: sourceLocation)
  }
}
