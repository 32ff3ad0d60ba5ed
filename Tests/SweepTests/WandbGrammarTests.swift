import Foundation
import KANLib
import Testing

@testable import Sweep

/// W&B's sweep grammar: the documentation's examples (Fixtures/wandb, with their sources), every
/// distribution, aliases and one-pass error reports.
@Suite struct WandbGrammarTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/wandb")

  static var files: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
      .filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// The problems a file may have: names that are W&B users' own (parameters, metrics, datasets
  /// not ours, or several of their names mapping to one of ours).
  /// W&B's examples also sweep optimizers kan-sweep does not have (adam, sgd, adagrad): the
  /// `optimizer` parameter names its two.
  static let nameProblems = [
    "unknown parameter", "unknown metric", "unknown dataset", "unknown optimizer",
    "a kan-sweep parameter can be set once",
  ]

  /// Sweeps on Launch (W&B's other product) examples, whose values kan-sweep refuses: a grid
  /// over a min/max range (33, 34: W&B's grid needs values too) and an epochs range from 0 (32).
  static let launchExamples = [
    "32-launch-job.yaml", "33-launch-scheduler-job.yaml", "34-launch-optuna-scheduler-run-cap.yaml",
  ]

  @Test func theDocumentationsExamplesValidateButForNamesNotOurs() throws {
    #expect(Self.files.count >= 48)
    var reported = 0
    for name in Self.files where !Self.launchExamples.contains(name) {
      let path = Self.folder.appendingPathComponent(name).path
      do {
        let file = try ExperimentFile.load(path: path)
        #expect(!file.parameters.isEmpty || file.notes.isEmpty, "\(name)")
      } catch {
        for problem in error.all {
          #expect(
            Self.nameProblems.contains { problem.message.contains($0) },
            "\(name): \(problem.summary)")
          #expect(problem.line != nil, "\(name): \(problem.summary) has no line")
        }
        reported += error.all.count
      }
    }
    #expect(reported > 40, "every unknown name of every file is reported, in one pass each")
  }

  @Test func oneFileReportsEveryProblemInOnePass() throws {
    let path = Self.folder.appendingPathComponent("05-bayes-hyperband-max-iter.yaml").path
    #expect {
      _ = try ExperimentFile.load(path: path)
    } throws: { error in
      guard let error = error as? ExperimentError else { return false }
      let messages = error.all.map(\.message)
      return messages.count == 7
        && messages.contains { $0.contains("'learn_rate' (did you mean 'learning_rate'?)") }
        && messages.contains { $0.contains("'decay' (did you mean 'weight_decay'?)") }
    }
  }

  @Test func ignoredKeysAreNotedAndNamesDefaultToTheFile() throws {
    let file = try ExperimentFile(
      text: """
        program: train.py
        project: kan
        entity: lab
        command:
          - ${env}
          - python
          - ${program}
        method: random
        run_cap: 3
        parameters:
          learning_rate: {min: 0.001, max: 0.1}
          grid_size: {min: 3, max: 9}
        """, path: "experiments/My Sweep.yaml")
    #expect(file.name == "My-Sweep" && file.displayName == "My Sweep")
    #expect(file.notes.count == 4 && file.notes[0].hasPrefix("program: ignored"))
    guard case .distribution(let learningRate) = file.parameters[0].specification,
      case .distribution(let gridSize) = file.parameters[1].specification
    else {
      Issue.record("min/max without distribution should infer one")
      return
    }
    #expect(learningRate.kind == .uniform && gridSize.kind == .intUniform)
    let trials = try file.plannedTrials()
    #expect(trials.count == 3)
    #expect(trials.allSatisfy { (3...9).contains($0.configuration.gridSize) })
  }

  @Test func aliasesHintOurNames() throws {
    #expect {
      _ = try ExperimentFile(
        text: "parameters:\n  lr: {value: 0.1}\n  num_epochs: {value: 2}\n  bs: {value: 8}\n"
          + "metric: {name: val_acc}\n",
        path: "a.yaml")
    } throws: { error in
      let text = "\(error)"
      return text.contains("'lr' (did you mean 'learning_rate'?)")
        && text.contains("'num_epochs' (did you mean 'epochs'?)")
        && text.contains("'bs' (did you mean 'batch_size'?)")
        && text.contains("'val_acc' (did you mean 'val_accuracy'?)")
    }
  }

  /// Draws of every distribution, against its definition (docs.wandb.ai, sweep configuration
  /// options): inside its support, and with the mean the formula implies.
  @Test(arguments: Distribution.Kind.allCases)
  func distributionsDrawWhatTheyDefine(_ kind: Distribution.Kind) throws {
    let spec: String
    switch kind {
    case .normal, .qNormal: spec = "{distribution: \(kind.rawValue), mu: 0.3, sigma: 0.05, q: 0.01}"
    case .logNormal, .qLogNormal:
      spec = "{distribution: \(kind.rawValue), mu: -2, sigma: 0.3, q: 0.001}"
    case .logUniform, .qLogUniform:
      spec = "{distribution: \(kind.rawValue), min: -4, max: -1, q: 0.001}"
    case .invLogUniform: spec = "{distribution: inv_log_uniform, min: 1, max: 4}"
    case .intUniform: spec = "{distribution: int_uniform, min: 0, max: 1}"
    default: spec = "{distribution: \(kind.rawValue), min: 0.01, max: 0.5, q: 0.01}"
    }
    let file = try ExperimentFile(
      text:
        "name: d\nmethod: random\nrun_cap: 2000\nseeds: [0]\nparameters:\n  grid_eps: \(spec)\n",
      path: "d.yaml")
    let values = (0..<2000).compactMap { index -> Double? in
      guard case .number(let value) = file.randomSample(index)[0].1 else { return nil }
      return value
    }
    #expect(values.count == 2000)
    let mean = values.reduce(0, +) / Double(values.count)
    let expected: Double
    switch kind {
    case .uniform, .qUniform: expected = 0.255
    case .intUniform: expected = 0.5
    case .logUniform, .qLogUniform: expected = (exp(-1.0) - exp(-4.0)) / 3
    case .logUniformValues, .qLogUniformValues, .invLogUniformValues:
      expected = (0.5 - 0.01) / log(0.5 / 0.01)
    case .invLogUniform: expected = (exp(-1.0) - exp(-4.0)) / 3
    case .normal, .qNormal: expected = 0.3
    case .logNormal, .qLogNormal: expected = exp(-2 + 0.045)
    }
    #expect(abs(mean - expected) < 0.06 * max(expected, 0.1), "\(kind): mean \(mean)")
    #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(kind) left grid_eps's range")
    if kind.isQuantized {
      let q = kind == .qNormal ? 0.01 : (kind == .qLogNormal || kind == .qLogUniform ? 0.001 : 0.01)
      #expect(values.allSatisfy { abs(($0 / q).rounded() * q - $0) < 1e-9 }, "\(kind) not rounded")
    }
  }

  @Test func weightedChoicesFollowTheirProbabilities() throws {
    let file = try ExperimentFile(
      text:
        "name: p\nmethod: random\nrun_cap: 4000\nparameters:\n  spline_order: {values: [1, 2, 3], "
        + "probabilities: [0.7, 0.2, 0.1]}\n",
      path: "p.yaml")
    var counts: [ParameterValue: Int] = [:]
    for index in 0..<4000 { counts[file.randomSample(index)[0].1, default: 0] += 1 }
    #expect(abs(Double(counts[.integer(1)] ?? 0) / 4000 - 0.7) < 0.03)
    #expect(abs(Double(counts[.integer(3)] ?? 0) / 4000 - 0.1) < 0.02)
  }
}
