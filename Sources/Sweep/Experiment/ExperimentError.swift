/// A problem in an experiment file, located by file, line, column and key path.
public struct ExperimentError: Error, CustomStringConvertible, Equatable {
  /// The file's path as the user gave it.
  public let file: String
  /// 1-based line, when known.
  public let line: Int?
  /// 1-based column, when known.
  public let column: Int?
  /// The key path, e.g. `parameters.grid_size.values[2]`.
  public let keyPath: String
  /// What is wrong and what to do.
  public let message: String

  /// Creates an error.
  public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.message = message
  }

  /// `file:line:column: key.path: message`.
  public var description: String {
    var location = file
    if let line { location += ":\(line)" }
    if let column { location += ":\(column)" }
    return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
  }
}

/// The closest of `candidates` to `word` when it is a plausible typo, for "did you mean".
func closestMatch(to word: String, in candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
      var current = [i + 1] + Array(repeating: 0, count: b.count)
      for (j, y) in b.enumerated() {
        current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
  let lowered = Array(word.lowercased())
  let scored = candidates.map { ($0, distance(lowered, Array($0))) }.min { $0.1 < $1.1 }
  guard let (best, score) = scored, score <= max(2, word.count / 3) else { return nil }
  return best
}
