import Foundation
import KANLib
import Testing

@testable import Sweep

/// The parameter registry is the one declaration of every trial parameter: these tests walk it.
@Suite struct ParameterRegistryTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static func pins(_ name: String) throws -> [String: [String]] {
    let fixture = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/\(name)"), encoding: .utf8)
    var pinned: [String: [String]] = [:]
    for line in fixture.split(separator: "\n") where !line.hasPrefix("#") {
      let fields = line.split(separator: "\t").map(String.init)
      try #require(fields.count == 3, "bad fixture line \(line)")
      pinned[fields[0], default: []].append(fields[2])
    }
    return pinned
  }

  static func experiment(_ name: String) throws -> ExperimentFile {
    try ExperimentFile.load(
      path: Self.repository.appendingPathComponent("experiments/\(name).yaml").path)
  }

  /// Trials stored before validation splits keep their identity and meaning: every trial of the
  /// three files in `experiments/`, without its split, has the identity recorded by the code
  /// before the parameter registry (Fixtures/experiment-identities.tsv).
  @Test func earlierIdentitiesNeverChange() throws {
    let pinned = try Self.pins("experiment-identities.tsv")
    #expect(pinned.keys.sorted() == ["kan-vs-mlp", "mnist-grid", "quick"])
    for name in pinned.keys.sorted() {
      let identities = try Self.experiment(name).plannedTrials().map { trial in
        var configuration = trial.configuration
        configuration.validationFraction = 0
        return try PlannedTrial.identity(of: configuration)
      }
      #expect(identities == pinned[name], "\(name): trial identities changed")
    }
  }

  /// The identities of the same files now that sweeps hold out a validation split, pinned
  /// deliberately when the split became the default (Fixtures/experiment-identities-v2.tsv;
  /// `RECORD_SNAPSHOTS=1` rewrites it).
  @Test func currentIdentitiesArePinned() throws {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/experiment-identities-v2.tsv")
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
      var text =
        "# sweep\ttrial\tidentity of every trial of experiments/*.yaml with the default "
        + "validation_fraction 0.1 (pinned when it became the default)\n"
      for name in ["kan-vs-mlp", "mnist-grid", "quick"] {
        for (index, trial) in try Self.experiment(name).plannedTrials().enumerated() {
          text += "\(name)\t\(index)\t\(trial.identity)\n"
        }
      }
      try text.write(to: file, atomically: true, encoding: .utf8)
    }
    let pinned = try Self.pins("experiment-identities-v2.tsv")
    for name in ["kan-vs-mlp", "mnist-grid", "quick"] {
      let identities = try Self.experiment(name).plannedTrials().map(\.identity)
      #expect(identities == pinned[name], "\(name): trial identities changed")
      #expect(
        Set(identities).isDisjoint(with: try Self.pins("experiment-identities.tsv")[name] ?? []))
    }
  }

  @Test func namesAreUniqueAndEveryParameterHasHelpAndAnOption() {
    let names = TrainingParameter.all.map(\.name)
    #expect(Set(names).count == names.count)
    let spellings = TrainingParameter.all.flatMap(\.acceptedOptions)
    #expect(Set(spellings).count == spellings.count, "two parameters share an option")
    for parameter in TrainingParameter.all {
      #expect(!parameter.help.isEmpty && !parameter.optionNames.isEmpty, "\(parameter.name)")
      #expect(TrainingParameter.named(parameter.name)?.name == parameter.name)
      // The default itself is valid.
      if let value = parameter.defaultValue {
        #expect(parameter.type.problem(with: value) == nil, "\(parameter.name) default \(value)")
      }
    }
    #expect(TrainingConfiguration().problems.isEmpty)
  }

  /// Values outside a parameter's range (including ones a Float cannot hold) are refused with
  /// the range in the message, in sweep files and by `assign`.
  @Test func rangesAreCheckedEverywhere() throws {
    var configuration = TrainingConfiguration()
    for parameter in TrainingParameter.all {
      let outside: ParameterValue?
      switch parameter.type {
      case .integer(let range):
        outside = range.upperBound < Int.max ? .integer(range.upperBound + 1) : .integer(-1)
      case .number(let range): outside = .number(range.upperBound * 2 + 1e39)
      case .choice: outside = .text("no-such-choice")
      case .integers(let each, _): outside = .integers([each.upperBound + 1])
      case .numbers: outside = .numbers([1e39, 2e39])
      }
      guard let outside else { continue }
      let problem = parameter.assign(outside, to: &configuration)
      #expect(problem?.contains("must be") == true, "\(parameter.name) accepted \(outside)")
    }
    #expect(configuration == TrainingConfiguration(), "a refused value changed the configuration")
    let text = "name: r\nparameters:\n  regularize_entropy: {values: [1e39, 2e39]}\n"
    #expect(throws: ExperimentError.self) { try ExperimentFile(text: text, path: "r.yaml") }
    var broken = TrainingConfiguration()
    broken.regularizeEntropy = .infinity
    #expect(throws: ConfigurationError.self) { try broken.canonicalJSON() }
  }

  /// Parameters added after the first release stay out of the canonical JSON at their default,
  /// so adding one keeps every existing identity; the first release's are always written.
  @Test func canonicalJSONCarriesTheFirstReleaseParameters() throws {
    let json = try TrainingConfiguration().canonicalJSON()
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let always = TrainingParameter.all.filter { !$0.omittedAtDefault && $0.defaultValue != nil }
    #expect(Set(object.keys) == Set(always.map(\.name)))
    #expect(object["grid_size"] as? Int == 5 && object["train_limit"] == nil)
  }

  @Test func kanOnlyParametersComeFromTheRegistry() throws {
    var configuration = TrainingConfiguration()
    configuration.gridSize = 9
    configuration.scaleNoise = 0.5
    configuration.learningRate = 0.01
    configuration.resetKANOnlyParameters()
    #expect(configuration.gridSize == 5 && configuration.scaleNoise == 0.1)
    #expect(configuration.learningRate == 0.01)
  }

  /// The README's parameter list names exactly the registry's sweep-file parameters.
  @Test func readmeListsTheRegistry() throws {
    let readme = try String(
      contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
    let start = try #require(readme.range(of: "Parameters: `"))
    let end = try #require(
      readme.range(of: "Each is declared once", range: start.upperBound..<readme.endIndex))
    let paragraph = readme[start.lowerBound..<end.lowerBound]
    let names = paragraph.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }
      .map { String($0.element) }
    #expect(names == TrainingParameter.sweepFileParameters.map(\.name))
  }
}
