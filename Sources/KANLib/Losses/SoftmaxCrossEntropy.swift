import Foundation

/// Mean softmax cross-entropy over a batch, computed stably (log-sum-exp with the row maximum).
///
/// Concretely, for logits z [batch, classes] and labels y [batch]:
/// ```
/// loss      = (1/batch)·Σ_b (log Σ_c exp(z[b,c] − m_b) + m_b − z[b, y_b]),  m_b = max_c z[b,c]
/// ∂loss/∂z  = (softmax(z) − onehot(y)) / batch
/// ```
public enum SoftmaxCrossEntropy {
  /// Returns the mean loss and, if `gradient` is given, writes ∂loss/∂logits into it.
  public static func loss(
    logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batchSize: Int, classes: Int,
    gradient: UnsafeMutablePointer<Float>? = nil
  ) -> Float {
    precondition(
      batchSize > 0 && classes > 0, "SoftmaxCrossEntropy: batch \(batchSize) × \(classes)")
    var total = 0.0
    let scale = 1 / Float(batchSize)
    for row in 0..<batchSize {
      let z = logits + row * classes
      let label = Int(labels[row])
      precondition(
        label >= 0 && label < classes, "SoftmaxCrossEntropy: label \(label) of \(classes)")
      var maximum = z[0]
      for c in 1..<max(1, classes) where z[c] > maximum { maximum = z[c] }
      var sum: Float = 0
      for c in 0..<classes { sum += expf(z[c] - maximum) }
      let logSum = logf(sum)
      total += Double(logSum + maximum - z[label])
      if let gradient {
        let g = gradient + row * classes
        for c in 0..<classes { g[c] = expf(z[c] - maximum - logSum) * scale }
        g[label] -= scale
      }
    }
    return Float(total / Double(batchSize))
  }

  /// The index of the largest logit of each row [batch].
  public static func predictions(logits: UnsafePointer<Float>, batchSize: Int, classes: Int)
    -> [Int]
  {
    (0..<batchSize).map { row in
      let z = logits + row * classes
      var best = 0
      for c in 1..<max(1, classes) where z[c] > z[best] { best = c }
      return best
    }
  }
}
