import Foundation

/// Decides whether a running trial stops early at an epoch (``EarlyTermination``), from its value
/// of the sweep's metric and the values of the sweep's other trials (same dataset) at that epoch.
struct Pruner: Sendable {
  static func short(_ value: Double) -> String { String(format: "%.5g", value) }

  let rule: EarlyTermination
  /// The metric judged and its direction.
  let metric: String
  let goal: MetricGoal
  /// The epochs at which the rule judges.
  let checkpoints: Set<Int>

  init(rule: EarlyTermination, metric: String, goal: MetricGoal, epochs: Int) {
    self.rule = rule
    self.metric = metric
    self.goal = goal
    checkpoints = Set(rule.checkpoints(epochs: epochs))
  }

  /// nil to go on, or why the trial stops. `value` is the trial's value at `epoch`; `others`
  /// the other trials' values at the same epoch (NaN and infinities count as worst).
  ///
  /// Hyperband (asynchronous, as ASHA): with n trials at the bracket, this one included, it
  /// continues when it is among the best max(1, ⌊n/eta⌋); fewer than eta trials at a bracket
  /// never stop anyone. Median: with at least 3 other trials, it stops when worse than their
  /// median.
  func decide(value: Double, epoch: Int, others: [Double]) -> String? {
    guard checkpoints.contains(epoch) else { return nil }
    let worst = goal == .maximize ? -Double.infinity : Double.infinity
    func clean(_ x: Double) -> Double { x.isFinite ? x : worst }
    let mine = clean(value)
    let rest = others.map(clean)
    let bestFirst = { (a: Double, b: Double) in goal.isBetter(a, than: b) }
    switch rule {
    case .hyperband(_, _, _, let eta):
      let all = (rest + [mine]).sorted(by: bestFirst)
      guard Double(all.count) >= eta else { return nil }
      let kept = max(1, Int(Double(all.count) / eta))
      let threshold = all[kept - 1]
      guard goal.isBetter(threshold, than: mine) else { return nil }
      return "stopped by hyperband at epoch \(epoch): \(metric) \(Self.short(mine)) is not among "
        + "the best \(kept) of the \(all.count) trials that reached it (threshold \(Self.short(threshold)))"
    case .median:
      guard rest.count >= 3 else { return nil }
      let sorted = rest.sorted()
      let median =
        sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
      guard goal.isBetter(median, than: mine) else { return nil }
      return "stopped by the median rule at epoch \(epoch): \(metric) \(Self.short(mine)) is worse "
        + "than the median \(Self.short(median)) of \(rest.count) other trials"
    }
  }
}
