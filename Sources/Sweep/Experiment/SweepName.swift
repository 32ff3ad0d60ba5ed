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

extension SweepName {
  /// `name` itself when it is valid; otherwise a slug of it: runs of characters other than
  /// ASCII letters, digits, `.`, `_` and `-` become one `-`, leading `.` and `-` are dropped, and
  /// the result is cut to ``maximumBytes`` (`"My sweep #1"` → `My-sweep-1`).
  public static func slug(_ name: String) -> String {
    if problem(name) == nil { return name }
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
    var slug = ""
    for scalar in name.unicodeScalars {
      if scalar.isASCII && allowed.contains(scalar) {
        slug.unicodeScalars.append(scalar)
      } else if !slug.hasSuffix("-") {
        slug += "-"
      }
    }
    while let first = slug.first, first == "." || first == "-" { slug.removeFirst() }
    while slug.hasSuffix("-") { slug.removeLast() }
    return String(slug.prefix(maximumBytes))
  }
}
