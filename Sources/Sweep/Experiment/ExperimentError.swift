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
