/// Limited-memory BFGS with PyTorch's `torch.optim.LBFGS` semantics and defaults, for full-batch
/// function fitting (pykan's `fit` uses it with a strong-Wolfe line search).
///
/// Concretely, one ``step(parameters:gradients:evaluate:)`` runs at most `maxIterations`
/// iterations of (Nocedal & Wright, "Numerical Optimization", algorithms 7.4 and 3.5–3.6):
/// ```
/// d  = −H·g            two-loop recursion over the last `historySize` pairs
///                      sᵢ = tᵢ·dᵢ, yᵢ = gᵢ₊₁ − gᵢ (kept when yᵢ·sᵢ > toleranceYS), H₀ = (y·s)/(y·y)
/// t  = lr·min(1, 1/‖g‖₁) on the very first iteration, lr afterwards
/// x ← x + t·d          t from the strong-Wolfe search (c₁ = 1e-4, c₂ = 0.9, ≤ 25 evaluations,
///                      cubic interpolation) or fixed when ``lineSearch`` is `.none`
/// ```
/// and stops early when max|g| ≤ `toleranceGrad`, g·d > −`toleranceChange`, max|t·d| ≤
/// `toleranceChange`, |Δloss| < `toleranceChange`, or after `maxEvaluations` evaluations. The
/// history, the last direction and step persist across calls, as PyTorch's optimizer state does.
///
/// Deviation from PyTorch: dot products and norms accumulate in Double (PyTorch's are float32
/// reductions), so directions can differ in the last bits; vectors stay Float. Weight decay is
/// not part of L-BFGS (as in PyTorch).
public final class LBFGS {
  /// The line search between directions.
  public enum LineSearch: Sendable {
    /// A fixed step `t` (PyTorch's `line_search_fn=None`).
    case none
    /// PyTorch's `line_search_fn="strong_wolfe"`.
    case strongWolfe
  }

  /// Step scale `lr` (PyTorch's default 1).
  public var learningRate: Float
  /// Iterations per ``step(parameters:gradients:evaluate:)`` (PyTorch's `max_iter`, 20).
  public let maxIterations: Int
  /// Evaluations per step (PyTorch's `max_eval`, default `maxIterations·5/4`).
  public let maxEvaluations: Int
  /// Stop when the largest gradient magnitude is at most this (PyTorch's 1e-7).
  public let toleranceGrad: Double
  /// Stop when the loss or the step change by less than this (PyTorch's 1e-9).
  public let toleranceChange: Double
  /// A pair is kept only when y·s exceeds this (PyTorch hard-codes 1e-10; pykan's copy of the
  /// optimizer makes it `tolerance_ys` and passes 1e-32, so tiny late-training losses still
  /// update the curvature).
  public let toleranceYS: Double
  /// Curvature pairs kept (PyTorch's `history_size`, 10 here as in pykan; PyTorch's own is 100).
  public let historySize: Int
  /// The line search.
  public let lineSearch: LineSearch
  /// Loss evaluations made so far (PyTorch's `state["func_evals"]`).
  public private(set) var evaluations = 0
  /// Iterations made so far (PyTorch's `state["n_iter"]`).
  public private(set) var iterations = 0

  private let count: Int
  private let direction: FloatBuffer
  private let previousGradient: FloatBuffer
  private let start: FloatBuffer
  private let work: FloatBuffer
  private let bracketGradients: (FloatBuffer, FloatBuffer)
  private var steps: [FloatBuffer] = []
  private var differences: [FloatBuffer] = []
  private var inverseCurvatures: [Double] = []
  /// The two-loop recursion's αᵢ, one per pair (kept, so an iteration allocates nothing).
  private var alphas: [Double] = []
  private var order: [Int] = []
  private var diagonal: Double = 1
  private var stepLength: Double = 0
  private var previousLoss: Double = 0

  /// Creates an optimizer for `parameterCount` scalars.
  public init(
    parameterCount: Int, learningRate: Float = 1, maxIterations: Int = 20,
    maxEvaluations: Int? = nil, toleranceGrad: Double = 1e-7, toleranceChange: Double = 1e-9,
    toleranceYS: Double = 1e-10, historySize: Int = 10, lineSearch: LineSearch = .strongWolfe
  ) {
    precondition(maxIterations > 0 && historySize > 0, "LBFGS: iterations and history must be > 0")
    self.learningRate = learningRate
    self.maxIterations = maxIterations
    self.maxEvaluations = maxEvaluations ?? maxIterations * 5 / 4
    self.toleranceGrad = toleranceGrad
    self.toleranceChange = toleranceChange
    self.toleranceYS = toleranceYS
    self.historySize = historySize
    self.lineSearch = lineSearch
    count = parameterCount
    direction = FloatBuffer(count: parameterCount)
    previousGradient = FloatBuffer(count: parameterCount)
    start = FloatBuffer(count: parameterCount)
    work = FloatBuffer(count: parameterCount)
    bracketGradients = (FloatBuffer(count: parameterCount), FloatBuffer(count: parameterCount))
  }

  /// Runs one optimizer step (up to ``maxIterations`` iterations) and returns the loss at the
  /// parameters it started from.
  ///
  /// - Parameters:
  ///   - parameters: x, updated in place.
  ///   - gradients: where `evaluate` leaves dL/dx.
  ///   - evaluate: computes the loss at the current `parameters` and writes its gradient into
  ///     `gradients` (PyTorch's closure).
  @discardableResult
  public func step(parameters: FloatBuffer, gradients: FloatBuffer, evaluate: () -> Double)
    -> Double
  {
    precondition(
      parameters.count == count && gradients.count == count,
      "LBFGS.step: \(parameters.count) parameters, \(gradients.count) gradients for \(count)")
    let x = parameters.pointer
    let g = gradients.pointer
    let d = direction.pointer
    let firstLoss = evaluate()
    var loss = firstLoss
    var spent = 1
    evaluations += 1
    if maxAbs(g) <= toleranceGrad { return firstLoss }

    var iteration = 0
    while iteration < maxIterations {
      iteration += 1
      iterations += 1
      if iterations == 1 {
        for index in 0..<count { d[index] = -g[index] }
        clearHistory()
        diagonal = 1
      } else {
        updateHistory(gradient: g)
        twoLoopDirection(gradient: g)
      }
      previousGradient.pointer.update(from: g, count: count)
      previousLoss = loss

      let initialStep =
        iterations == 1
        ? min(1, 1 / sumAbs(g)) * Double(learningRate) : Double(learningRate)
      let slope = dot(g, d)
      if slope > -toleranceChange { break }

      var lineEvaluations = 0
      switch lineSearch {
      case .strongWolfe:
        start.pointer.update(from: x, count: count)
        let found = strongWolfe(
          parameters: parameters, gradients: gradients, evaluate: evaluate, step: initialStep,
          loss: loss, slope: slope)
        stepLength = found.step
        loss = found.loss
        lineEvaluations = found.evaluations
        // x = start + t·d; gradients already hold the gradient there.
        let t = Float(stepLength)
        for index in 0..<count { x[index] = start.pointer[index] + t * d[index] }
      case .none:
        stepLength = initialStep
        let t = Float(stepLength)
        for index in 0..<count { x[index] += t * d[index] }
        if iteration != maxIterations {
          loss = evaluate()
          lineEvaluations = 1
        }
      }
      spent += lineEvaluations
      evaluations += lineEvaluations

      if iteration == maxIterations || spent >= maxEvaluations { break }
      if maxAbs(g) <= toleranceGrad { break }
      if maxAbs(d) * abs(stepLength) <= toleranceChange { break }
      if abs(loss - previousLoss) < toleranceChange { break }
    }
    return firstLoss
  }

  private func clearHistory() {
    steps = []
    differences = []
    inverseCurvatures = []
    order = []
  }

  /// Adds the pair s = t·d, y = g − g_prev when y·s > ``toleranceYS`` (curvature condition), dropping the
  /// oldest pair beyond ``historySize``; H₀ = (y·s)/(y·y).
  private func updateHistory(gradient g: UnsafePointer<Float>) {
    let y = work.pointer
    let d = direction.pointer
    let previous = previousGradient.pointer
    for index in 0..<count { y[index] = g[index] - previous[index] }
    let t = Float(stepLength)
    var ys = 0.0
    for index in 0..<count { ys += Double(y[index]) * Double(d[index] * t) }
    guard ys > toleranceYS else { return }
    let slot: Int
    if order.count == historySize {
      slot = order.removeFirst()
    } else {
      slot = steps.count
      steps.append(FloatBuffer(count: count))
      differences.append(FloatBuffer(count: count))
      inverseCurvatures.append(0)
    }
    for index in 0..<count { steps[slot].pointer[index] = d[index] * t }
    differences[slot].pointer.update(from: y, count: count)
    inverseCurvatures[slot] = 1 / ys
    order.append(slot)
    diagonal = ys / dot(y, y)
  }

  /// d = −H·g by the two-loop recursion: q = −g; for pairs newest to oldest αᵢ = ρᵢ·sᵢ·q,
  /// q −= αᵢ·yᵢ; r = H₀·q; for pairs oldest to newest βᵢ = ρᵢ·yᵢ·r, r += (αᵢ − βᵢ)·sᵢ.
  private func twoLoopDirection(gradient g: UnsafePointer<Float>) {
    let q = direction.pointer
    for index in 0..<count { q[index] = -g[index] }
    if alphas.count < order.count { alphas = [Double](repeating: 0, count: historySize) }
    for position in stride(from: order.count - 1, through: 0, by: -1) {
      let slot = order[position]
      let alpha = dot(steps[slot].pointer, q) * inverseCurvatures[slot]
      alphas[position] = alpha
      let y = differences[slot].pointer
      let a = Float(alpha)
      for index in 0..<count { q[index] -= a * y[index] }
    }
    let h = Float(diagonal)
    for index in 0..<count { q[index] *= h }
    for (position, slot) in order.enumerated() {
      let beta = dot(differences[slot].pointer, q) * inverseCurvatures[slot]
      let s = steps[slot].pointer
      let scale = Float(alphas[position] - beta)
      for index in 0..<count { q[index] += scale * s[index] }
    }
  }

  /// Moves x to start + t·d and evaluates the loss there (the gradient lands in `gradients`).
  private func evaluateAlong(_ t: Double, parameters: FloatBuffer, evaluate: () -> Double) -> Double
  {
    let x = parameters.pointer
    let d = direction.pointer
    let step = Float(t)
    for index in 0..<count { x[index] = start.pointer[index] + step * d[index] }
    return evaluate()
  }

  /// PyTorch's `_strong_wolfe`: bracketing, then zoom by cubic interpolation, until
  /// f(t) ≤ f + c₁·t·g·d and |g(t)·d| ≤ −c₂·g·d (c₁ = 1e-4, c₂ = 0.9, at most 25 evaluations).
  /// On return `gradients` holds the gradient at the chosen t.
  private func strongWolfe(
    parameters: FloatBuffer, gradients: FloatBuffer, evaluate: () -> Double, step: Double,
    loss f: Double, slope gtd: Double
  ) -> (step: Double, loss: Double, evaluations: Int) {
    let (c1, c2, maxSearches) = (1e-4, 0.9, 25)
    let g = gradients.pointer
    let d = direction.pointer
    let dNorm = maxAbs(d)
    // Gradients of the bracket's points live in two buffers; the starting gradient in `work`.
    let initialGradient = work.pointer
    initialGradient.update(from: g, count: count)
    let buffers = [bracketGradients.0.pointer, bracketGradients.1.pointer]
    func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>) {
      if source != UnsafePointer(target) { target.update(from: source, count: count) }
    }

    var t = step
    var current = Point(
      step: t, loss: evaluateAlong(t, parameters: parameters, evaluate: evaluate), slope: 0)
    current.slope = dot(g, d)
    var spent = 1
    var previous = Point(step: 0, loss: f, slope: gtd)
    var previousGradient = UnsafePointer(initialGradient)
    var searches = 0
    var bracket: [Point] = []
    var done = false
    while searches < maxSearches {
      if current.loss > f + c1 * t * gtd || (searches > 1 && current.loss >= previous.loss) {
        copy(previousGradient, to: buffers[0])
        copy(g, to: buffers[1])
        bracket = [previous, current]
        break
      }
      if abs(current.slope) <= -c2 * gtd {
        copy(g, to: buffers[0])
        bracket = [current]
        done = true
        break
      }
      if current.slope >= 0 {
        copy(previousGradient, to: buffers[0])
        copy(g, to: buffers[1])
        bracket = [previous, current]
        break
      }
      let next = Self.cubicInterpolate(
        previous, current, bounds: (t + 0.01 * (t - previous.step), t * 10))
      copy(g, to: buffers[0])
      previousGradient = UnsafePointer(buffers[0])
      previous = current
      t = next
      current = Point(
        step: t, loss: evaluateAlong(t, parameters: parameters, evaluate: evaluate), slope: 0)
      current.slope = dot(g, d)
      spent += 1
      searches += 1
    }
    if searches == maxSearches {
      copy(initialGradient, to: buffers[0])
      copy(g, to: buffers[1])
      bracket = [Point(step: 0, loss: f, slope: gtd), current]
    }

    var insufficientProgress = false
    var (low, high) = bracket.count == 2 && bracket[0].loss > bracket[1].loss ? (1, 0) : (0, 1)
    while !done && searches < maxSearches {
      // PyTorch's `_strong_wolfe` keeps its own tolerance (the optimizer's is not passed on).
      if abs(bracket[1].step - bracket[0].step) * dNorm < 1e-9 { break }
      t = Self.cubicInterpolate(bracket[0], bracket[1], bounds: nil)
      let upper = max(bracket[0].step, bracket[1].step)
      let lower = min(bracket[0].step, bracket[1].step)
      let eps = 0.1 * (upper - lower)
      if min(upper - t, t - lower) < eps {
        if insufficientProgress || t >= upper || t <= lower {
          t = abs(t - upper) < abs(t - lower) ? upper - eps : lower + eps
          insufficientProgress = false
        } else {
          insufficientProgress = true
        }
      } else {
        insufficientProgress = false
      }
      var point = Point(
        step: t, loss: evaluateAlong(t, parameters: parameters, evaluate: evaluate), slope: 0)
      point.slope = dot(g, d)
      spent += 1
      searches += 1
      if point.loss > f + c1 * t * gtd || point.loss >= bracket[low].loss {
        bracket[high] = point
        copy(g, to: buffers[high])
        (low, high) = bracket[0].loss <= bracket[1].loss ? (0, 1) : (1, 0)
      } else {
        if abs(point.slope) <= -c2 * gtd {
          done = true
        } else if point.slope * (bracket[high].step - bracket[low].step) >= 0 {
          bracket[high] = bracket[low]
          copy(buffers[low], to: buffers[high])
        }
        bracket[low] = point
        copy(g, to: buffers[low])
      }
    }
    g.update(from: buffers[low], count: count)
    return (bracket[low].step, bracket[low].loss, spent)
  }

  /// A point of the line search: step t, loss f(t), slope g(t)·d.
  struct Point {
    var step: Double
    var loss: Double
    var slope: Double
  }

  /// PyTorch's `_cubic_interpolate`: the minimizer of the cubic through two points with their
  /// slopes, clamped to `bounds` (default: between the points), or the middle when the cubic
  /// has no minimizer.
  static func cubicInterpolate(_ a: Point, _ b: Point, bounds: (Double, Double)?) -> Double {
    let (lower, upper) = bounds ?? (min(a.step, b.step), max(a.step, b.step))
    let d1 = a.slope + b.slope - 3 * (a.loss - b.loss) / (a.step - b.step)
    let d2Square = d1 * d1 - a.slope * b.slope
    guard d2Square >= 0 else { return (lower + upper) / 2 }
    let d2 = d2Square.squareRoot()
    let position =
      a.step <= b.step
      ? b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2))
      : a.step - (a.step - b.step) * ((a.slope + d2 - d1) / (a.slope - b.slope + 2 * d2))
    return min(max(position, lower), upper)
  }

  private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Double {
    var sum = 0.0
    for index in 0..<count { sum += Double(a[index]) * Double(b[index]) }
    return sum
  }

  private func maxAbs(_ a: UnsafePointer<Float>) -> Double {
    var largest: Float = 0
    for index in 0..<count { largest = max(largest, abs(a[index])) }
    return Double(largest)
  }

  private func sumAbs(_ a: UnsafePointer<Float>) -> Double {
    var sum = 0.0
    for index in 0..<count { sum += Double(abs(a[index])) }
    return sum
  }
}
