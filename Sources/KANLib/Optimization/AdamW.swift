import Foundation

/// Adam with decoupled weight decay, with PyTorch's `torch.optim.AdamW` semantics.
///
/// Concretely, at step t (from 1), for every parameter p with gradient g:
/// ```
/// p ← p·(1 − lr·weightDecay)
/// m ← m + (1 − β₁)·(g − m)
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// Scalars are computed in Double and the elementwise update in Float, as PyTorch does on CPU.
/// Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (2019).
public final class AdamW {
  /// Step size.
  public var learningRate: Float
  /// β₁, the first-moment decay.
  public let beta1: Float
  /// β₂, the second-moment decay.
  public let beta2: Float
  /// ε, added to the denominator.
  public let epsilon: Float
  /// Decoupled weight decay (PyTorch's default 0.01).
  public let weightDecay: Float
  /// The number of steps taken.
  public private(set) var step = 0
  /// First moments, in the layout of the parameter arena.
  public let firstMoment: FloatBuffer
  /// Second moments, in the layout of the parameter arena.
  public let secondMoment: FloatBuffer

  /// Creates an optimizer for `parameterCount` scalars.
  public init(
    parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 1e-2
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    firstMoment = FloatBuffer(count: parameterCount)
    secondMoment = FloatBuffer(count: parameterCount)
  }

  /// Updates `parameters` in place from `gradients` (same count as the moments).
  public func update(parameters: FloatBuffer, gradients: FloatBuffer) {
    beginStep(parameters: parameters, gradients: gradients)
    update(parameters: parameters, gradients: gradients, range: 0..<parameters.count)
  }

  /// Counts a new step; then ``update(parameters:gradients:range:)`` updates the elements, in
  /// one range or in disjoint ranges (on several threads: each element's update depends on that
  /// element only, so the bits do not depend on the split).
  public func beginStep(parameters: FloatBuffer, gradients: FloatBuffer) {
    precondition(
      parameters.count == firstMoment.count && gradients.count == firstMoment.count,
      "AdamW.update: \(parameters.count) parameters and \(gradients.count) gradients for "
        + "\(firstMoment.count) moments")
    step += 1
  }

  /// Updates elements `range` of `parameters` for the step counted by
  /// ``beginStep(parameters:gradients:)``.
  public func update(parameters: FloatBuffer, gradients: FloatBuffer, range: Range<Int>) {
    precondition(step > 0, "AdamW.update(range:): call beginStep first")
    let t = Double(step)
    let decay = Float(1 - Double(learningRate) * Double(weightDecay))
    let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
    let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
    let oneMinusBeta1 = Float(1 - Double(beta1))
    let oneMinusBeta2 = Float(1 - Double(beta2))
    let (b2, eps) = (beta2, epsilon)
    let p = parameters.pointer + range.lowerBound
    let g = gradients.pointer + range.lowerBound
    let m = firstMoment.pointer + range.lowerBound
    let v = secondMoment.pointer + range.lowerBound
    let count = range.count
    // Eight lanes at a time (the same IEEE operations as the scalar tail, so the same bits).
    typealias Lanes = SIMD8<Float>
    let decayLanes = Lanes(repeating: decay)
    let stepLanes = Lanes(repeating: stepSize)
    let correctionLanes = Lanes(repeating: correction2)
    let beta1Lanes = Lanes(repeating: oneMinusBeta1)
    let b2Lanes = Lanes(repeating: b2)
    let beta2Lanes = Lanes(repeating: oneMinusBeta2)
    let epsLanes = Lanes(repeating: eps)
    var index = 0
    while index &+ 8 <= count {
      let gradient = UnsafeRawPointer(g + index).loadUnaligned(as: Lanes.self)
      let weight = UnsafeRawPointer(p + index).loadUnaligned(as: Lanes.self) * decayLanes
      let oldFirst = UnsafeRawPointer(m + index).loadUnaligned(as: Lanes.self)
      let first = oldFirst + beta1Lanes * (gradient - oldFirst)
      let second =
        UnsafeRawPointer(v + index).loadUnaligned(as: Lanes.self) * b2Lanes
        + beta2Lanes * (gradient * gradient)
      UnsafeMutableRawPointer(m + index).storeBytes(of: first, as: Lanes.self)
      UnsafeMutableRawPointer(v + index).storeBytes(of: second, as: Lanes.self)
      let updated =
        weight - stepLanes * (first / (second.squareRoot() / correctionLanes + epsLanes))
      UnsafeMutableRawPointer(p + index).storeBytes(of: updated, as: Lanes.self)
      index &+= 8
    }
    while index < count {
      let gradient = g[index]
      let weight = p[index] * decay
      let first = m[index] + oneMinusBeta1 * (gradient - m[index])
      let second = v[index] * b2 + oneMinusBeta2 * (gradient * gradient)
      m[index] = first
      v[index] = second
      p[index] = weight - stepSize * (first / (second.squareRoot() / correction2 + eps))
      index &+= 1
    }
  }
}
