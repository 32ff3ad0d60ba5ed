import Foundation

/// The synthetic regression tasks of the KAN paper, generated from a seed.
///
/// Concretely: inputs are uniform in [-1, 1] (``KANRandom``, stream 2 for the training split and
/// 3 for the test split), one target per sample, and the metric is RMSE.
public struct SyntheticTask: Sendable {
  /// The task.
  public let name: DatasetName
  /// Inputs [count, inputWidth] of the training split.
  public let trainInputs: [Float]
  /// Targets [count] of the training split.
  public let trainTargets: [Float]
  /// Inputs of the test split.
  public let testInputs: [Float]
  /// Targets of the test split.
  public let testTargets: [Float]

  /// The input width of `name` (2 or 4).
  public static func inputWidth(of name: DatasetName) -> Int {
    name == .toyExp4D ? 4 : 2
  }

  /// The target function of `name` at `x`.
  public static func target(_ name: DatasetName, _ x: UnsafeBufferPointer<Float>) -> Float {
    let pi = Double.pi
    let v = x.map(Double.init)
    switch name {
    case .toyExpSin: return Float(exp(sin(pi * v[0]) + v[1] * v[1]))
    case .toyXY: return Float(v[0] * v[1])
    case .toyExp4D:
      return Float(
        exp((sin(pi * (v[0] * v[0] + v[1] * v[1])) + sin(pi * (v[2] * v[2] + v[3] * v[3]))) / 2))
    case .mnist, .fashionMNIST: return 0
    }
  }

  /// Generates `trainCount` and `testCount` samples of `name` from `seed`.
  public init(_ name: DatasetName, seed: UInt64, trainCount: Int = 1000, testCount: Int = 1000) {
    precondition(!name.isClassification, "SyntheticTask: \(name) is not a synthetic task")
    self.name = name
    let width = Self.inputWidth(of: name)
    func generate(count: Int, stream: UInt64) -> ([Float], [Float]) {
      var generator = KANRandom(seed: seed, stream: stream)
      let inputs = (0..<(count * width)).map { _ in generator.uniform(-1, 1) }
      let targets = inputs.withUnsafeBufferPointer { pointer in
        (0..<count).map { row in
          Self.target(
            name, UnsafeBufferPointer(rebasing: pointer[(row * width)..<((row + 1) * width)]))
        }
      }
      return (inputs, targets)
    }
    (trainInputs, trainTargets) = generate(count: trainCount, stream: 2)
    (testInputs, testTargets) = generate(count: testCount, stream: 3)
  }
}
