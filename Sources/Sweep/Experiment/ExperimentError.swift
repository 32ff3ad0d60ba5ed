/// Problems in an experiment file, each located by file, line, column and key path. One pass over
/// a file reports every problem it can find: the first is this value's own fields, the others
/// are in ``additional``.
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
  /// Further problems found in the same pass, in file order.
  public var additional: [ExperimentError] = []

  /// Creates an error about one problem.
  public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.message = message
  }

  /// Several problems as one error (nil when there are none), sorted by line and column.
  init?(collecting problems: [ExperimentError]) {
    let sorted = problems.enumerated().sorted { a, b in
      let left = (a.element.line ?? Int.max, a.element.column ?? 0, a.offset)
      let right = (b.element.line ?? Int.max, b.element.column ?? 0, b.offset)
      return left < right
    }.map(\.element)
    guard var first = sorted.first else { return nil }
    first.additional = Array(sorted.dropFirst())
    self = first
  }

  /// Every problem, this one first.
  public var all: [ExperimentError] {
    var first = self
    first.additional = []
    return [first] + additional
  }

  /// `file:line:column: key.path: message` for this problem only.
  public var summary: String {
    var location = file
    if let line { location += ":\(line)" }
    if let column { location += ":\(column)" }
    return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
  }

  /// Every problem's ``summary``, one per line.
  public var description: String { all.map(\.summary).joined(separator: "\n") }
}
