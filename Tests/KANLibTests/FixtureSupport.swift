import Foundation
import KANLib

/// Fixture files and helpers shared by the parity tests.
enum Fixtures {
  /// `KAN_FIXTURES_DIR`, or `../shared/fixtures/efficient-kan` next to the package.
  static var directory: String { folder("efficient-kan") }

  /// `KAN_FIXTURES_DIR`, or `../shared/fixtures/convkan` next to the package.
  static var convolutionDirectory: String { folder("convkan") }

  /// `KAN_FIXTURES_DIR` when set, else `../shared/fixtures/<name>` next to the package.
  static func folder(_ name: String) -> String {
    if let value = ProcessInfo.processInfo.environment["KAN_FIXTURES_DIR"], !value.isEmpty {
      return value
    }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return package.deletingLastPathComponent().appendingPathComponent("shared/fixtures/" + name)
      .path
  }

  /// Every `*.safetensors` in the directory, sorted.
  static func files() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.hasSuffix(".safetensors") }.sorted()
      .map { directory + "/" + $0 }
  }

  /// A metadata value decoded from its JSON text.
  static func metadataValue(_ file: SafeTensors, _ key: String) -> Any? {
    guard let text = file.metadata[key], let data = text.data(using: .utf8) else { return nil }
    return try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
  }

  static func int(_ file: SafeTensors, _ key: String) -> Int? {
    (metadataValue(file, key) as? NSNumber)?.intValue
  }

  static func double(_ file: SafeTensors, _ key: String) -> Double? {
    (metadataValue(file, key) as? NSNumber)?.doubleValue
  }

  /// The KAN configuration a fixture's metadata describes.
  static func kanConfiguration(_ file: SafeTensors) -> KANConfiguration {
    var configuration = KANConfiguration()
    if let value = int(file, "grid_size") { configuration.gridSize = value }
    if let value = int(file, "spline_order") { configuration.splineOrder = value }
    if let range = metadataValue(file, "grid_range") as? [NSNumber], range.count == 2 {
      configuration.gridLower = range[0].floatValue
      configuration.gridUpper = range[1].floatValue
    }
    if let value = double(file, "grid_eps") { configuration.gridEps = Float(value) }
    if let value = metadataValue(file, "standalone_scale_spline") as? Bool {
      configuration.standaloneScaler = value
    }
    if let name = metadataValue(file, "base_activation") as? String,
      let activation = BaseActivation(rawValue: name)
    {
      configuration.baseActivation = activation
    }
    return configuration
  }

  /// Copies every tensor named `prefix + entry.name` into the network's arenas; a single-layer
  /// fixture names its tensors without the `layers.0.` part.
  static func load(
    _ network: Network, from file: SafeTensors, prefix: String = "", singleLayer: Bool = false
  ) throws {
    func name(_ entry: TensorEntry) -> String {
      prefix + (singleLayer ? String(entry.name.dropFirst("layers.0.".count)) : entry.name)
    }
    for entry in network.parameters.entries {
      network.parameters.assign(try file.tensor(name(entry)).floats, to: entry)
    }
    for entry in network.buffers.entries {
      network.buffers.assign(try file.tensor(name(entry)).floats, to: entry)
    }
  }
}

/// Largest absolute difference, and whether every element is within `tolerance` absolute or
/// `tolerance` relative to the reference's largest magnitude.
struct Comparison: CustomStringConvertible {
  let name: String
  let maxError: Float
  let scale: Float
  let tolerance: Float

  init(_ name: String, actual: [Float], expected: [Float], tolerance: Float) {
    precondition(actual.count == expected.count, "\(name): \(actual.count) vs \(expected.count)")
    self.name = name
    var largest: Float = 0
    for (a, e) in zip(actual, expected) { largest = max(largest, abs(a - e)) }
    if actual.contains(where: { $0.isNaN }) { largest = .nan }
    maxError = largest
    scale = expected.map(abs).max() ?? 0
    self.tolerance = tolerance
  }

  var passes: Bool { maxError <= tolerance || maxError <= tolerance * scale }

  var description: String {
    "\(name): max |error| \(maxError) (tolerance \(tolerance), max |value| \(scale))"
  }
}

extension Array where Element == Float {
  /// Calls `body` with a pointer to the elements.
  func withPointer<Result>(_ body: (UnsafePointer<Float>) throws -> Result) rethrows -> Result {
    try withUnsafeBufferPointer { try body($0.start("test")) }
  }
}
