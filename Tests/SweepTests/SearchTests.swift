import Foundation
import KANLib
import Testing

@testable import Sweep

/// Bayes (TPE), early termination and the validation split.
@Suite struct SearchTests {
  static func file(_ name: String) throws -> ExperimentFile {
    try ExperimentFile(
      text: """
        name: \(name)
        method: bayes
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 0.0001, max: 1}
          grid_size: {distribution: int_uniform, min: 2, max: 20}
          spline_order: {values: [1, 2, 3]}
        """, path: "\(name).yaml")
  }

  /// A known objective: best at learning_rate 0.01, grid_size 8, spline_order 3.
  static func objective(_ values: [String: ParameterValue]) -> Double {
    guard case .number(let lr) = values["learning_rate"],
      case .integer(let grid) = values["grid_size"],
      case .integer(let order) = values["spline_order"]
    else { return .infinity }
    let a = log10(lr) + 2
    let b = Double(grid - 8) / 6
    return a * a + b * b + (order == 3 ? 0 : 0.5)
  }

  /// Runs `count` sequential suggestions and returns the best objective found.
  static func search(_ file: ExperimentFile, count: Int, bayes: Bool) -> Double {
    let sampler = TPESampler(file: file, goal: .minimize)
    var history: [TPESampler.Observation] = []
    for index in 0..<count {
      let assignment =
        bayes ? sampler.suggest(index: index, history: history) : file.randomSample(index)
      let values = Dictionary(assignment) { first, _ in first }
      history.append(.init(values: values, objective: objective(values)))
    }
    return history.compactMap(\.objective).min() ?? .infinity
  }

  @Test func tpeFindsBetterConfigurationsThanRandomSearch() throws {
    var bayes: [Double] = []
    var random: [Double] = []
    for seed in 0..<7 {
      let file = try Self.file("tpe-\(seed)")
      bayes.append(Self.search(file, count: 40, bayes: true))
      random.append(Self.search(file, count: 40, bayes: false))
    }
    let median = { (values: [Double]) in values.sorted()[values.count / 2] }
    #expect(median(bayes) < median(random), "TPE \(bayes) vs random \(random)")
  }

  @Test func tpeIsDeterministicAndPendingTrialsChangeTheSuggestion() throws {
    let file = try Self.file("tpe-determinism")
    let sampler = TPESampler(file: file, goal: .minimize)
    var history: [TPESampler.Observation] = []
    for index in 0..<12 {
      let values = Dictionary(file.randomSample(index)) { first, _ in first }
      history.append(.init(values: values, objective: Self.objective(values)))
    }
    let first = sampler.suggest(index: 12, history: history)
    let again = sampler.suggest(index: 12, history: history)
    #expect(first.map(\.1) == again.map(\.1))
    // A configuration running elsewhere counts as a poor result: the next suggestion differs.
    let pending = history + [.init(values: Dictionary(first) { a, _ in a }, objective: nil)]
    #expect(sampler.suggest(index: 13, history: pending).map(\.1) != first.map(\.1))
  }

  @Test func hyperbandKeepsTheBestThirdAndMedianStopsTheWorseHalf() {
    let hyperband = Pruner(
      rule: .hyperband(minIter: 1, maxIter: nil, s: nil, eta: 3), metric: "val_loss",
      goal: .minimize, epochs: 10)
    #expect(hyperband.checkpoints == [1, 3, 9])
    #expect(hyperband.decide(value: 0.5, epoch: 2, others: [0.1, 0.2]) == nil, "not a bracket")
    #expect(hyperband.decide(value: 0.5, epoch: 1, others: [0.1]) == nil, "fewer than eta")
    #expect(hyperband.decide(value: 0.15, epoch: 1, others: [0.1, 0.2, 0.3, 0.4, 0.5]) == nil)
    #expect(hyperband.decide(value: 0.35, epoch: 3, others: [0.1, 0.2, 0.3, 0.4, 0.5]) != nil)
    #expect(hyperband.decide(value: .nan, epoch: 3, others: [0.1, 0.2]) != nil, "NaN is worst")
    let maxIter = EarlyTermination.hyperband(minIter: nil, maxIter: 27, s: 2, eta: 3)
    #expect(maxIter.checkpoints(epochs: 27) == [3, 9])
    let median = Pruner(
      rule: .median(minIter: 2), metric: "val_accuracy", goal: .maximize, epochs: 5)
    #expect(median.decide(value: 0.5, epoch: 1, others: [0.6, 0.7, 0.8]) == nil, "before min_iter")
    #expect(median.decide(value: 0.5, epoch: 2, others: [0.6, 0.7, 0.8]) != nil)
    #expect(median.decide(value: 0.75, epoch: 2, others: [0.6, 0.7, 0.8]) == nil)
    #expect(median.decide(value: 0.1, epoch: 3, others: [0.6, 0.7]) == nil, "too few others")
  }

  @Test func validationSplitsAreDisjointSeededAndSizedByTheFraction() throws {
    let (training, validation) = Trainer.split(count: 1000, fraction: 0.1, seed: 7)
    #expect(validation.count == 100 && training.count == 900)
    #expect(Set(training).isDisjoint(with: validation) && Set(training + validation).count == 1000)
    #expect(Trainer.split(count: 1000, fraction: 0.1, seed: 7).validation == validation)
    #expect(Trainer.split(count: 1000, fraction: 0.1, seed: 8).validation != validation)
    #expect(
      Trainer.split(count: 1000, fraction: 0, seed: 7).training == (0..<1000).map { Int32($0) })
    // Sweeps hold out 10 % by default; `sweep train` (a bare configuration) does not.
    let planned = try ExperimentFile(
      text: "name: v\nparameters:\n  dataset: {value: toy_xy}\n", path: "v.yaml"
    ).plannedTrials()
    #expect(planned.first?.configuration.validationFraction == 0.1)
    #expect(TrainingConfiguration().validationFraction == 0)
  }

  @Test func aSplitRunReportsValidationMetrics() throws {
    var configuration = TrainingConfiguration()
    configuration.dataset = .toyXY
    configuration.hiddenLayers = [4]
    configuration.epochs = 2
    configuration.trainLimit = 300
    configuration.testLimit = 100
    configuration.validationFraction = 0.2
    let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
    let trainer = try Trainer(configuration: configuration, data: data)
    let result = try trainer.run()
    let last = try #require(result.epochs.last)
    #expect(last.validationRMSE != nil && last.validationLoss != nil && last.testRMSE != nil)
    #expect(trainer.validationRows.count == 60)
    #expect(last.values().map(\.name).contains("val_rmse"))
    #expect(abs(Double(last.samplesPerSecond) * last.seconds - 240) < 1)
  }
}
