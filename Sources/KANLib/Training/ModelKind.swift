import Foundation

/// The network family a run trains.
public enum ModelKind: String, Sendable, Codable, CaseIterable, Hashable {
  /// A Kolmogorov–Arnold network (``KAN``).
  case kan
  /// The multilayer-perceptron baseline (``MLP``).
  case mlp
  /// A convolutional KAN on the images (``ConvKAN``, convkan's architecture).
  case convKAN = "conv_kan"

  /// The name charts and tables show: KAN, MLP, ConvKAN.
  public var displayName: String {
    switch self {
    case .kan: return "KAN"
    case .mlp: return "MLP"
    case .convKAN: return "ConvKAN"
    }
  }
}

/// How the learning rate changes from epoch to epoch (stepped once per epoch, as PyTorch's
/// schedulers are usually used).
public enum LearningRateSchedule: String, Sendable, Codable, CaseIterable, Hashable {
  /// lr(e) = lr.
  case constant
  /// lr(e) = lr·γᵉ (`ExponentialLR`).
  case exponential
  /// lr(e) = lr·(1 + cos(π·e/epochs))/2 (`CosineAnnealingLR`, T_max = epochs, η_min = 0).
  case cosine

  /// The learning rate of epoch `epoch` (from 0).
  public func learningRate(base: Float, gamma: Float, epoch: Int, epochs: Int) -> Float {
    switch self {
    case .constant: return base
    case .exponential: return Float(Double(base) * Foundation.pow(Double(gamma), Double(epoch)))
    case .cosine:
      return Float(Double(base) * (1 + cos(Double.pi * Double(epoch) / Double(max(1, epochs)))) / 2)
    }
  }
}
