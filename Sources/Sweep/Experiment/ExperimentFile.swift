import Crypto
import Foundation
import KANLib

/// A sweep definition read from a YAML experiment file, in the grammar of W&B's sweep
/// configuration (plus `seeds`).
///
/// Concretely:
/// ```yaml
/// name: mnist-grid                 # optional (default: the file's base name); free text is kept
///                                  # for display and stored under a safe slug
/// description: KAN grid vs order   # optional
/// method: grid                     # grid (default) | random | bayes
/// metric: {name: val_accuracy, goal: maximize, target: 0.99}   # default: per dataset
/// seeds: [0, 1, 2]                 # default [0]
/// run_cap: 500                     # grid: maximum trials; random/bayes: trials to run
/// early_terminate: {type: hyperband, min_iter: 2, eta: 3}       # or {type: median, min_iter: 2}
/// parameters:
///   grid_size: {values: [3, 5, 10]}
///   learning_rate: {distribution: log_uniform_values, min: 1e-4, max: 1e-2}
/// program: train.py                # W&B keys that do not apply (program, command, project,
///                                  # entity, controller, job, scheduler) are noted and ignored
/// ```
public struct ExperimentFile: Sendable {
  /// Search method.
  public enum Method: String, Sendable, CaseIterable {
    /// Every combination of the `values` lists.
    case grid
    /// Configurations drawn from the distributions (`run_cap` of them, or until stopped).
    case random
    /// Configurations suggested by a tree-structured Parzen estimator from the results so far.
    case bayes
  }

  /// The file's path as given.
  public let path: String
  /// The file's text, stored with the sweep.
  public let text: String
  /// The sweep's stored name: a ``SweepName`` (the `name` key itself, or a slug of it).
  public let name: String
  /// The name as the file wrote it (for display).
  public let displayName: String
  /// Free text.
  public let description: String
  /// grid, random or bayes.
  public let method: Method
  /// The metric to optimize, or `nil` for each dataset's default.
  public let metricName: String?
  /// `maximize` or `minimize`, or `nil` for the metric's natural goal.
  public let metricGoal: String?
  /// Stop creating trials once a trial reaches this value of the metric.
  public let metricTarget: Double?
  /// Each configuration runs once per seed.
  public let seeds: [UInt64]
  /// Grid: the largest allowed number of trials; random/bayes: the number of configurations
  /// (nil: until stopped).
  public let runCap: Int?
  /// How trials are stopped early, if at all.
  public let earlyTermination: EarlyTermination?
  /// The parameters in file order.
  public let parameters: [SweepParameter]
  /// What the file asks for that kan-sweep ignores, one line each (W&B's `program`, …).
  public let notes: [String]

  /// The SHA-256 (hex) of the file's text.
  public var textHash: String {
    Checkpoint.sha256Hex(Array(text.utf8))
  }

  /// The largest sweep file read (1 MiB): sweep files are a few hundred bytes; a bound keeps
  /// validation fast and small whatever the file holds.
  public static let maximumFileBytes = 1 << 20

  /// Reads and validates the file at `path`.
  public static func load(path: String) throws(ExperimentError) -> ExperimentFile {
    func refuse(_ message: String, line: Int? = nil) -> ExperimentError {
      ExperimentError(file: path, line: line, column: nil, keyPath: "", message: message)
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw refuse("no such file")
    }
    guard !isDirectory.boolValue else { throw refuse("is a folder, not a sweep file") }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    guard size <= maximumFileBytes else {
      throw refuse(
        "is \(size) bytes; a sweep file may have at most \(maximumFileBytes) (1 MiB)")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw refuse("cannot read the file (check its permissions)")
    }
    let bytes = [UInt8](data)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      let offset = Self.firstInvalidUTF8Offset(bytes)
      let line = bytes.prefix(offset).filter { $0 == 0x0A }.count + 1
      throw refuse(
        "is not UTF-8 text: invalid byte 0x\(String(bytes[offset], radix: 16)) at byte offset \(offset)",
        line: line)
    }
    return try ExperimentFile(text: text, path: path)
  }

  /// The offset of the first byte that does not belong to a valid UTF-8 sequence.
  static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded): offset += encoded.count
      case .emptyInput: return min(offset, max(0, bytes.count - 1))
      case .error: return offset
      }
    }
  }

  init(
    path: String, text: String, name: String, displayName: String, description: String,
    method: Method, metricName: String?, metricGoal: String?, metricTarget: Double?,
    seeds: [UInt64], runCap: Int?, earlyTermination: EarlyTermination?,
    parameters: [SweepParameter], notes: [String]
  ) {
    self.path = path
    self.text = text
    self.name = name
    self.displayName = displayName
    self.description = description
    self.method = method
    self.metricName = metricName
    self.metricGoal = metricGoal
    self.metricTarget = metricTarget
    self.seeds = seeds
    self.runCap = runCap
    self.earlyTermination = earlyTermination
    self.parameters = parameters
    self.notes = notes
  }

  /// The metrics a sweep can optimize.
  public static let metricNames = [
    "val_accuracy", "val_rmse", "val_loss", "test_accuracy", "test_rmse", "test_loss",
    "train_loss",
  ]
}
