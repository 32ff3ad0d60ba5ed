import Foundation
import KANLib

/// How much memory one trial may use: by default the machine's physical memory shared by the
/// workers that run at once.
public struct MemoryLimit: Sendable, Equatable, CustomStringConvertible {
  /// The limit in bytes.
  public let bytes: Int

  /// A limit of `bytes`.
  public init(bytes: Int) { self.bytes = bytes }

  /// Physical memory ÷ `workers`.
  public static func perWorker(_ workers: Int) -> MemoryLimit {
    MemoryLimit(bytes: Int(ProcessInfo.processInfo.physicalMemory / UInt64(max(1, workers))))
  }

  /// Reads `12G`, `512M`, `800K` or a plain number of bytes (powers of 1024); nil otherwise.
  public init?(parsing text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
    let units: [Character: Double] = [
      "K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776,
    ]
    var number = Substring(trimmed)
    var scale = 1.0
    if let last = number.last, let unit = units[last] {
      scale = unit
      number = number.dropLast()
    } else if number.hasSuffix("B"), let unit = units[number.dropLast().last ?? " "] {
      scale = unit
      number = number.dropLast(2)
    }
    guard let value = Double(number), value > 0, value * scale < 9e18 else { return nil }
    bytes = Int(value * scale)
  }

  /// `1.2 GB`.
  public var description: String { Self.describe(bytes) }

  /// A byte count in GB or MB (decimal).
  public static func describe(_ bytes: Int) -> String {
    bytes >= 1_000_000_000
      ? String(format: "%.1f GB", Double(bytes) / 1e9)
      : String(format: "%.0f MB", Double(bytes) / 1e6)
  }
}

extension ExperimentFile {
  /// Refuses the file when a trial's estimated memory (``TrainingConfiguration/estimatedMemoryBytes``)
  /// exceeds `limit`, naming the largest such trial and its estimate.
  public func checkMemory(limit: MemoryLimit, explanation: String) throws(ExperimentError) {
    var largest: (index: Int, trial: PlannedTrial, bytes: Int)?
    for (index, trial) in try plannedTrials().enumerated() {
      let bytes = trial.configuration.estimatedMemoryBytes
      if bytes > limit.bytes && bytes > (largest?.bytes ?? 0) { largest = (index, trial, bytes) }
    }
    guard let largest else { return }
    let values = largest.trial.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    throw ExperimentError(
      file: path, line: nil, column: nil, keyPath: "parameters",
      message:
        "trial \(largest.index) (\(values.joined(separator: " ")) seed \(largest.trial.configuration.seed)) "
        + "needs about \(MemoryLimit.describe(largest.bytes)) of memory, more than the limit "
        + "\(limit) (\(explanation)); shrink it or raise --memory-limit")
  }
}
