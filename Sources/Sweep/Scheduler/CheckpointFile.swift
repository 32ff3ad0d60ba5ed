import Foundation
import KANLib

/// A trial's checkpoint on disk against the SHA-256 the store recorded for it.
public enum CheckpointFile {
  /// What the file is now.
  public enum Status: Sendable, Equatable {
    /// Present with the stored SHA-256.
    case intact
    /// Not there (or not readable).
    case missing
    /// Present with other bytes.
    case modified(sha256: String)

    /// One line for `show` and `rerun`, naming the file.
    public func describe(path: String, stored: String) -> String {
      switch self {
      case .intact: return "\(path) verified (sha256 \(stored))"
      case .missing: return "\(path) is missing (stored sha256 \(stored))"
      case .modified(let actual):
        return "\(path) was modified: sha256 \(actual), stored \(stored)"
      }
    }
  }

  /// Reads the file at `path` and compares its SHA-256 with `sha256`.
  public static func status(path: String, sha256: String) -> Status {
    guard let actual = Checkpoint.sha256Hex(ofFileAt: path) else { return .missing }
    return actual == sha256 ? .intact : .modified(sha256: actual)
  }
}
