import Foundation
import KANLib
import Testing

@testable import Sweep

@Suite struct ExperimentFileTests {
  static let valid = """
    name: demo
    description: test
    seeds: [0, 1]
    parameters:
      dataset: {value: toy_xy}
      grid_size: {values: [3, 5]}
      hidden_layers: {values: [[4], [4, 4]]}
      learning_rate: {value: 0.01}
    """

  @Test func validFileExpandsDeterministically() throws {
    let file = try ExperimentFile(text: Self.valid, path: "demo.yaml")
    #expect(file.name == "demo" && file.seeds == [0, 1] && file.method == .grid)
    let trials = try file.plannedTrials()
    #expect(trials.count == 8)
    #expect(Set(trials.map(\.identity)).count == 8)
    #expect(try trials.map(\.identity) == file.plannedTrials().map(\.identity))
    #expect(trials[0].configuration.gridSize == 3 && trials[0].configuration.hiddenLayers == [4])
    #expect(trials[1].configuration.seed == 1 && trials[2].configuration.hiddenLayers == [4, 4])
    #expect(trials[7].configuration.gridSize == 5 && trials[7].configuration.learningRate == 0.01)
  }

  struct BadCase: Sendable, CustomStringConvertible {
    let name: String
    let text: String
    let line: Int
    let column: Int
    let fragments: [String]
    var description: String { name }
  }

  static let badCases: [BadCase] = [
    BadCase(
      name: "syntax", text: "name: x\nparameters:\n  grid_size: {values: [3, 5}\n", line: 3,
      column: 28,
      fragments: ["YAML syntax error"]),
    BadCase(
      name: "unknown key", text: "name: x\nparamters:\n  grid_size: {value: 3}\n", line: 2,
      column: 1,
      fragments: ["paramters", "did you mean 'parameters'"]),
    BadCase(
      name: "unknown parameter", text: "name: x\nparameters:\n  grid_sise: {value: 3}\n", line: 3,
      column: 3,
      fragments: ["parameters.grid_sise", "did you mean 'grid_size'"]),
    BadCase(
      name: "wrong type", text: "name: x\nparameters:\n  grid_size: {values: [3, five]}\n", line: 3,
      column: 27, fragments: ["parameters.grid_size.values[1]", "must be an integer"]),
    BadCase(
      name: "empty list", text: "name: x\nparameters:\n  spline_order: {values: []}\n", line: 3,
      column: 26,
      fragments: ["parameters.spline_order.values", "at least one"]),
    BadCase(
      name: "out of range", text: "name: x\nparameters:\n  grid_size: {values: [3, 0]}\n", line: 3,
      column: 27, fragments: ["values[1]", "an integer in 1…1000, got 0"]),
    BadCase(
      name: "negative learning rate",
      text: "name: x\nparameters:\n  learning_rate: {value: -0.1}\n",
      line: 3, column: 26,
      fragments: ["learning_rate.value", "a number in [0, 1000000], got -0.1"]),
    BadCase(
      name: "unknown dataset",
      text: "name: x\nparameters:\n  dataset: {values: [mnist, fashion]}\n",
      line: 3, column: 29, fragments: ["unknown dataset 'fashion'", "fashion_mnist"]),
    BadCase(
      name: "run cap",
      text: "name: x\nrun_cap: 3\nparameters:\n  grid_size: {values: [3, 5, 7, 9]}\n",
      line: 2, column: 10, fragments: ["run_cap", "4 trials", "more than run_cap 3"]),
    BadCase(
      name: "unusable name", text: "name: ..\nparameters:\n  grid_size: {value: 3}\n", line: 1,
      column: 7,
      fragments: ["does not give a usable name"]),
    BadCase(
      name: "distribution on grid",
      text: "name: x\nparameters:\n  learning_rate: {distribution: uniform, min: 0.1, max: 0.2}\n",
      line: 3,
      column: 33, fragments: ["distributions need method random or bayes"]),
  ]

  /// A file without `parameters` is refused (the problem has no line: the key is absent).
  @Test func missingParametersAreRequired() {
    #expect {
      _ = try ExperimentFile(text: "name: x\nmethod: grid\n", path: "bad.yaml")
    } throws: { error in
      "\(error)" == "bad.yaml: parameters: is required: a mapping from parameter names to "
        + "{value:}, {values:} or a distribution"
    }
  }

  @Test(arguments: badCases)
  func badFilesNameLineColumnAndKey(_ bad: BadCase) {
    do {
      _ = try ExperimentFile(text: bad.text, path: "bad.yaml")
      Issue.record("\(bad.name): expected an error")
    } catch {
      #expect(error.file == "bad.yaml")
      #expect(error.line == bad.line && error.column == bad.column, "\(bad.name): \(error)")
      for fragment in bad.fragments {
        #expect(error.description.contains(fragment), "\(bad.name): '\(fragment)' not in \(error)")
      }
      #expect(error.description.hasPrefix("bad.yaml:\(bad.line):\(bad.column): "))
    }
  }

  /// Expansion count = product of the value-list lengths × seeds, for random grids.
  @Test func expansionCountIsTheProductOfTheListsTimesTheSeeds() throws {
    var generator = KANRandom(seed: 2024)
    let pool: [(String, [String])] = [
      ("grid_size", ["3", "4", "5", "6", "7"]), ("spline_order", ["1", "2", "3"]),
      ("learning_rate", ["0.1", "0.01", "0.001", "0.0001"]), ("epochs", ["1", "2", "3"]),
      ("dataset", ["toy_xy", "toy_exp_sin", "toy_exp_4d"]),
      ("batch_size", ["8", "16", "32", "64"]),
    ]
    for _ in 0..<50 {
      var text = "name: prop\nseeds: ["
      let seedCount = 1 + generator.below(4)
      text += (0..<seedCount).map(String.init).joined(separator: ", ") + "]\nparameters:\n"
      var expected = seedCount
      for (name, values) in pool where generator.below(2) == 1 {
        let count = 1 + generator.below(values.count)
        expected *= count
        text += "  \(name): {values: [\(values.prefix(count).joined(separator: ", "))]}\n"
      }
      if !text.hasSuffix("parameters:\n") {
        let file = try ExperimentFile(text: text, path: "prop.yaml")
        #expect(try file.plannedTrials().count == expected, "\(text)")
        #expect(Set(try file.plannedTrials().map(\.identity)).count == expected)
      }
    }
  }

  @Test func randomSearchIsDeterministicAndKeepsEarlierSamples() throws {
    let text = """
      name: rnd
      method: random
      run_cap: 6
      parameters:
        learning_rate: {distribution: log_uniform_values, min: 0.0001, max: 0.01}
        grid_size: {distribution: int_uniform, min: 3, max: 10}
        spline_order: {values: [1, 2, 3]}
      """
    let six = try ExperimentFile(text: text, path: "r.yaml").plannedTrials()
    let ten = try ExperimentFile(
      text: text.replacingOccurrences(of: "run_cap: 6", with: "run_cap: 10"), path: "r.yaml"
    )
    .plannedTrials()
    #expect(six.count == 6 && ten.count == 10)
    #expect(Array(ten.prefix(6)).map(\.identity) == six.map(\.identity))
    for trial in ten {
      #expect(
        trial.configuration.learningRate >= 0.0001 && trial.configuration.learningRate <= 0.01)
      #expect((3...10).contains(trial.configuration.gridSize))
    }
  }
}
