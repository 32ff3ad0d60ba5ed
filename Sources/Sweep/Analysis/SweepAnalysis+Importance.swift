import Foundation
import KANLib

extension SweepAnalysis.Dataset {
  /// Which of `parameters` mattered for the metric among the completed trials (see
  /// ``ParameterImportance``), or nil with fewer than 8 of them.
  ///
  /// Columns: numbers as numbers (log10 when all are positive and span a factor of 50 or more,
  /// as learning rates do), anything else as categories in sorted order; a parameter a trial's
  /// model does not use (``TrainingConfiguration/uses(parameter:)``) is "not applicable" (NaN).
  public func importance(of parameters: [String], seed: UInt64 = 0) -> ParameterImportance? {
    let done = trials.filter { $0.state == .completed && ($0.final(metric)?.isFinite ?? false) }
    guard done.count >= 8, !parameters.isEmpty else { return nil }
    var columns: [ParameterImportance.Column] = []
    for name in parameters {
      let texts: [String?] = done.map {
        $0.configuration.uses(parameter: name) ? $0.configuration.value(of: name) : nil
      }
      let numbers = texts.map { $0.flatMap(Double.init) }
      if texts.allSatisfy({ $0 == nil || Double($0 ?? "") != nil }) {
        let present = numbers.compactMap { $0 }
        let low = present.min() ?? 0
        let high = present.max() ?? 0
        let logarithmic = low > 0 && high / low >= 50
        columns.append(
          .init(
            name: name,
            values: numbers.map { $0.map { logarithmic ? log10($0) : $0 } ?? .nan }))
      } else {
        let categories = Array(Set(texts.compactMap { $0 })).sorted()
        let index = Dictionary(
          uniqueKeysWithValues: categories.enumerated().map { ($1, Double($0)) })
        columns.append(
          .init(
            name: name, values: texts.map { $0.flatMap { index[$0] } ?? .nan },
            isCategorical: true))
      }
    }
    return ParameterImportance.compute(
      columns: columns, metric: done.map { $0.final(metric) ?? .nan }, seed: seed)
  }
}
