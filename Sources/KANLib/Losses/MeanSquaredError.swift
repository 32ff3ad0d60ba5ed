/// Mean squared error over every element, PyTorch's `F.mse_loss` with `reduction="mean"`.
///
/// Concretely, for predictions p and targets t of n = batch·width elements:
/// `loss = (1/n)·Σ (p − t)²`, `∂loss/∂p = 2·(p − t)/n`.
public enum MeanSquaredError {
  /// Returns the mean loss and, if `gradient` is given, writes ∂loss/∂predictions into it.
  public static func loss(
    predictions: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
    gradient: UnsafeMutablePointer<Float>? = nil
  ) -> Float {
    precondition(count > 0, "MeanSquaredError: count must be positive, got \(count)")
    var total = 0.0
    let scale = 2 / Float(count)
    for index in 0..<count {
      let difference = predictions[index] - targets[index]
      total += Double(difference) * Double(difference)
      gradient?[index] = scale * difference
    }
    return Float(total / Double(count))
  }
}
