/// Every dataset a training run can use: the two image sets and the synthetic tasks.
public enum DatasetName: String, Sendable, Codable, CaseIterable, Hashable {
  /// MNIST handwritten digits (10 classes, 28×28).
  case mnist
  /// Fashion-MNIST clothing images (10 classes, 28×28).
  case fashionMNIST = "fashion_mnist"
  /// f(x, y) = exp(sin(πx) + y²), from the KAN paper.
  case toyExpSin = "toy_exp_sin"
  /// f(x, y) = x·y.
  case toyXY = "toy_xy"
  /// f(x₁..x₄) = exp((sin(π(x₁² + x₂²)) + sin(π(x₃² + x₄²)))/2).
  case toyExp4D = "toy_exp_4d"

  /// The image set this name loads, or `nil` for a synthetic task.
  public var imageDataset: ImageDatasetName? {
    switch self {
    case .mnist: return .mnist
    case .fashionMNIST: return .fashionMNIST
    case .toyExpSin, .toyXY, .toyExp4D: return nil
    }
  }

  /// Whether the task is classification (accuracy) rather than regression (RMSE).
  public var isClassification: Bool { imageDataset != nil }

  /// The metric a sweep optimizes by default for this dataset.
  public var defaultMetric: String { isClassification ? "test_accuracy" : "test_rmse" }
}
