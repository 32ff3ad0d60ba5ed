import Foundation

/// The rules for a sweep's name. The name is also the folder `<store folder>/<name>/` that
/// holds the sweep's checkpoints and logs, and an argument of worker commands, so it must stay a
/// single, plain path component that cannot be read as an option.
public enum SweepName {
  /// The longest name, in UTF-8 bytes.
  public static let maximumBytes = 100

  /// nil when `name` is a valid sweep name, otherwise what is wrong with it.
  public static func problem(_ name: String) -> String? {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
    if name.isEmpty { return "must not be empty" }
    if name.utf8.count > maximumBytes {
      return "is \(name.utf8.count) bytes long; use at most \(maximumBytes)"
    }
    guard name.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
      return "'\(name)' may use only letters, digits, '.', '_' and '-'"
    }
    if name.hasPrefix(".") {
      return "'\(name)' may not start with '.' (its folder would be hidden or outside the store)"
    }
    if name.hasPrefix("-") {
      return "'\(name)' may not start with '-' (commands would read it as an option)"
    }
    return nil
  }
}
