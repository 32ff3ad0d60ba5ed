/// The closest of `candidates` to `word` when it is a plausible typo, for "did you mean".
public func closestMatch(to word: String, in candidates: [String]) -> String? {
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
