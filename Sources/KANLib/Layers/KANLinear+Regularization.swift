import Foundation

extension KANLinear {
  /// efficient-kan's `regularization_loss`, and its gradient with respect to `splineWeight`.
  ///
  /// Concretely, with l[o, i] = mean_c |splineWeight[o, i, c]|, S = Σ l, p = l/S:
  /// ```
  /// loss = activation·S + entropy·(−Σ p·log p)
  /// ∂loss/∂splineWeight[o, i, c] = (activation − entropy·(log p[o, i] + H)/S) · sign(w)/(G + k)
  /// ```
  /// Terms with p = 0 count as 0 (PyTorch would give NaN). When `gradients` is given,
  /// `gradientScale · ∂loss/∂splineWeight` is accumulated into it.
  public func regularizationLoss(
    activation: Float, entropy: Float, parameters: UnsafePointer<Float>,
    gradients: UnsafeMutablePointer<Float>? = nil, gradientScale: Float = 1
  ) -> Float {
    let c = configuration
    let count = c.coefficientCount
    let edges = c.outFeatures * c.inFeatures
    let spline = parameters + splineWeight.offset
    var means = [Double](repeating: 0, count: edges)
    var total = 0.0
    for edge in 0..<edges {
      var sum = 0.0
      for m in 0..<count { sum += Double(abs(spline[edge * count + m])) }
      means[edge] = sum / Double(count)
      total += means[edge]
    }
    guard total > 0 else { return 0 }
    var entropyValue = 0.0
    for mean in means where mean > 0 {
      let p = mean / total
      entropyValue -= p * Foundation.log(p)
    }
    if let gradients {
      let target = gradients + splineWeight.offset
      for edge in 0..<edges where means[edge] > 0 {
        let logP = Foundation.log(means[edge] / total)
        let perMean = Double(activation) - Double(entropy) * (logP + entropyValue) / total
        let factor = Float(perMean / Double(count)) * gradientScale
        for m in 0..<count {
          let w = spline[edge * count + m]
          if w > 0 {
            target[edge * count + m] += factor
          } else if w < 0 {
            target[edge * count + m] -= factor
          }
        }
      }
    }
    return Float(Double(activation) * total + Double(entropy) * entropyValue)
  }
}
