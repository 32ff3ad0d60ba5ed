import Foundation
import KANLib
import Testing

@testable import Sweep

/// The random forest's permutation importance and the Spearman correlations.
@Suite struct ParameterImportanceTests {
  typealias Column = ParameterImportance.Column

  /// `count` rows of three uniform columns "a", "b", "c"; the metric is sin(3a) plus small noise.
  static func onlyA(count: Int = 200) -> (columns: [Column], metric: [Double]) {
    var random = KANRandom(seed: 42)
    var a: [Double] = []
    var b: [Double] = []
    var c: [Double] = []
    var metric: [Double] = []
    for _ in 0..<count {
      a.append(random.nextDouble())
      b.append(random.nextDouble())
      c.append(random.nextDouble())
      metric.append(sin(3 * a[a.count - 1]) + 0.02 * (random.nextDouble() - 0.5))
    }
    let columns = [
      Column(name: "b", values: b), Column(name: "a", values: a), Column(name: "c", values: c),
    ]
    return (columns, metric)
  }

  @Test func onlyTheRelevantColumnMatters() throws {
    let (columns, metric) = Self.onlyA()
    let result = try #require(ParameterImportance.compute(columns: columns, metric: metric))
    #expect(result.entries.map(\.parameter).first == "a")
    #expect(result.entries[0].importance > 0.8)
    #expect(result.outOfBagR2 > 0.8)
    #expect(result.trialCount == 200)
    #expect(abs(result.entries.map(\.importance).reduce(0, +) - 1) < 1e-12)
    #expect(result.entries.allSatisfy { $0.importance >= 0 })
    for pair in zip(result.entries, result.entries.dropFirst()) {
      #expect(pair.0.importance >= pair.1.importance)
    }
  }

  @Test func nonMonotoneCategoricalRanksFirst() throws {
    var random = KANRandom(seed: 7)
    var model: [Double] = []
    var u: [Double] = []
    var v: [Double] = []
    var metric: [Double] = []
    for index in 0..<150 {
      let category = Double(index % 3)
      model.append(category)
      u.append(random.nextDouble())
      v.append(random.nextDouble())
      // The middle category is best: no threshold on the index separates it from both others.
      metric.append((category == 1 ? 0 : 1) + 0.05 * random.nextDouble())
    }
    let columns = [
      Column(name: "u", values: u), Column(name: "model", values: model, isCategorical: true),
      Column(name: "v", values: v),
    ]
    let result = try #require(ParameterImportance.compute(columns: columns, metric: metric))
    #expect(result.entries[0].parameter == "model")
    #expect(result.entries[0].correlation == nil)
    #expect(result.outOfBagR2 > 0.8)
  }

  @Test func spearmanClosedForms() throws {
    let x = (1...10).map(Double.init)
    let column = [Column(name: "x", values: x)]
    // Monotone but far from linear.
    let rising = try #require(ParameterImportance.compute(columns: column, metric: x.map(exp)))
    #expect(rising.entries[0].correlation == 1)
    let falling = try #require(
      ParameterImportance.compute(columns: column, metric: x.map { -$0 * $0 * $0 }))
    #expect(falling.entries[0].correlation == -1)

    // Ties: x ranks 1.5 1.5 3 4 5 6 7.5 7.5 against 1…8; deviations from 4.5 give
    // Σdxdy = 41, Σdx² = 41, Σdy² = 42, so ρ = 41 / √(41·42) = √(41/42).
    let tied: [Double] = [1, 1, 2, 3, 4, 5, 6, 6]
    let result = try #require(
      ParameterImportance.compute(
        columns: [Column(name: "t", values: tied)], metric: [1, 2, 3, 4, 5, 6, 7, 8]))
    let correlation = try #require(result.entries[0].correlation)
    #expect(abs(correlation - (41.0 / 42).squareRoot()) < 1e-12)

    // x = 1 2 2 3 → ranks 1 2.5 2.5 4: ρ = 4.5 / √(4.5·5) = 3/√10.
    let small = try #require(ParameterImportance.spearman([1, 2, 2, 3], [1, 2, 3, 4]))
    #expect(abs(small - 3 / 10.0.squareRoot()) < 1e-12)
    #expect(ParameterImportance.averageRanks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])

    // A constant column has no correlation; a two-category one has.
    let constant = try #require(
      ParameterImportance.compute(
        columns: [Column(name: "k", values: Array(repeating: 3, count: 10))], metric: x))
    #expect(constant.entries[0].correlation == nil)
    let binary = try #require(
      ParameterImportance.compute(
        columns: [
          Column(name: "bin", values: [0, 0, 0, 0, 1, 1, 1, 1, 1, 1], isCategorical: true)
        ], metric: x))
    #expect(binary.entries[0].correlation != nil)
  }

  @Test func sameSeedSameResult() throws {
    var random = KANRandom(seed: 99)
    var values = [[Double]](repeating: [], count: 4)
    var metric: [Double] = []
    for _ in 0..<120 {
      let row = (0..<4).map { _ in random.nextDouble() }
      for column in 0..<4 { values[column].append(row[column]) }
      metric.append(2 * row[2] + 0.3 * row[0] + 0.05 * random.nextDouble())
    }
    let columns = (0..<4).map { Column(name: "p\($0)", values: values[$0]) }
    let first = try #require(ParameterImportance.compute(columns: columns, metric: metric, seed: 5))
    let again = try #require(ParameterImportance.compute(columns: columns, metric: metric, seed: 5))
    let other = try #require(ParameterImportance.compute(columns: columns, metric: metric, seed: 6))
    #expect(first == again)
    #expect(first != other)
    #expect(first.entries[0].parameter == "p2")
    #expect(other.entries[0].parameter == "p2")
  }

  @Test func tooFewTrialsGiveNil() {
    let seven: [Double] = [1, 2, 3, 4, 5, 6, 7]
    #expect(
      ParameterImportance.compute(columns: [Column(name: "x", values: seven)], metric: seven) == nil
    )
    // Nine trials, but only seven finite metrics.
    let metric: [Double] = [1, 2, .nan, 4, .infinity, 6, 7, 8, 9]
    let ones = [Double](repeating: 1, count: metric.count)
    #expect(
      ParameterImportance.compute(columns: [Column(name: "x", values: ones)], metric: metric) == nil
    )
    #expect(ParameterImportance.compute(columns: [], metric: Array(repeating: 1, count: 20)) == nil)
    // Eight finite metrics are enough; the NaN one is dropped.
    let eight = ParameterImportance.compute(
      columns: [Column(name: "x", values: [1, 2, 3, 4, 5, 6, 7, 8, 9])],
      metric: [1, 2, .nan, 4, 5, 6, 7, 8, 9])
    #expect(eight?.trialCount == 8)
  }

  @Test func notApplicableValuesAreHandled() throws {
    // Half the trials are KANs with a grid size that matters; the MLP half has NaN there.
    var random = KANRandom(seed: 3)
    var model: [Double] = []
    var grid: [Double] = []
    var learningRate: [Double] = []
    var basis: [Double] = []
    var metric: [Double] = []
    for index in 0..<200 {
      let isKAN = index % 2 == 0
      let size = Double(3 + Int(random.nextDouble() * 10))
      model.append(isKAN ? 1 : 0)
      grid.append(isKAN ? size : .nan)
      learningRate.append(-4 + 3 * random.nextDouble())
      basis.append(isKAN ? Double(index % 3) : .nan)
      metric.append((isKAN ? abs(size - 8) / 5 : 0.5) + 0.02 * random.nextDouble())
    }
    let columns = [
      Column(name: "grid", values: grid), Column(name: "lr", values: learningRate),
      Column(name: "model", values: model, isCategorical: true),
      Column(name: "nothing", values: Array(repeating: .nan, count: 200)),
      Column(name: "basis", values: basis, isCategorical: true),
    ]
    let result = try #require(ParameterImportance.compute(columns: columns, metric: metric))
    #expect(result.entries.allSatisfy { $0.importance.isFinite && $0.importance >= 0 })
    #expect(result.outOfBagR2 > 0.5)
    #expect(result.entries[0].parameter == "grid")
    // The grid's correlation uses only the trials where it applies.
    let kan = stride(from: 0, to: 200, by: 2)
    let expected = try #require(
      ParameterImportance.spearman(kan.map { grid[$0] }, kan.map { metric[$0] }))
    #expect(result.entries.first { $0.parameter == "grid" }?.correlation == expected)
    #expect(result.entries.first { $0.parameter == "nothing" }?.correlation == nil)
    #expect(result.entries.first { $0.parameter == "basis" }?.correlation == nil)
  }

  @Test func constantMetricExplainsNothing() throws {
    let (columns, _) = Self.onlyA(count: 50)
    let result = try #require(
      ParameterImportance.compute(columns: columns, metric: Array(repeating: 2, count: 50)))
    #expect(result.outOfBagR2 == 0)
    #expect(result.entries.allSatisfy { $0.importance == 0 })
    #expect(result.entries.map(\.parameter) == ["a", "b", "c"])
  }
}
