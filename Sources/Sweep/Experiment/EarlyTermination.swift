import Foundation

/// When a running trial is stopped (pruned) because it is doing worse than the trials that got as
/// far: W&B's `early_terminate: {type: hyperband}` or Optuna's median rule.
public enum EarlyTermination: Sendable, Hashable {
  /// Hyperband, asynchronously (as ASHA does): at each bracket epoch a trial continues only if
  /// its metric is among the best 1/eta of the trials that reached that epoch. Either `minIter`
  /// or `maxIter` with `s` is given (W&B's keys).
  case hyperband(minIter: Int?, maxIter: Int?, s: Int?, eta: Double)
  /// The median rule: from epoch `minIter` on, a trial stops when its value is worse than the
  /// median of the other trials' values at the same epoch.
  case median(minIter: Int)

  /// The epochs at which a trial of `epochs` epochs is judged, ascending.
  ///
  /// Hyperband, as W&B defines its brackets: with `min_iter`, min_iter·eta^k for k = 0, 1, …;
  /// with `max_iter` and `s`, max_iter/eta^k for k = s, …, 1 (e.g. 27 and s = 2 → 3, 9). Only
  /// epochs before the last one count (a trial at its last epoch is finished, not pruned).
  /// The median rule judges every epoch from `min_iter` on.
  public func checkpoints(epochs: Int) -> [Int] {
    switch self {
    case .median(let minIter):
      return minIter < epochs ? Array(minIter..<epochs) : []
    case .hyperband(let minIter, let maxIter, let s, let eta):
      var brackets: [Int] = []
      if let minIter {
        var epoch = Double(minIter)
        while epoch < Double(epochs) {
          brackets.append(Int(epoch.rounded()))
          epoch *= eta
        }
      } else if let maxIter, let s, s >= 1 {
        brackets = (1...s).reversed().map {
          Int((Double(maxIter) / pow(eta, Double($0))).rounded())
        }
      }
      return Array(Set(brackets.filter { $0 >= 1 && $0 < epochs })).sorted()
    }
  }
}
