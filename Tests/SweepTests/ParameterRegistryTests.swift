import Foundation
import KANLib
import Testing

@testable import Sweep

/// The parameter registry is the one declaration of every trial parameter: these tests walk it.
@Suite struct ParameterRegistryTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// Every trial of the three files in `experiments/` keeps the identity it had before the
  /// registry (recorded in Fixtures/experiment-identities.tsv by the old code).
  @Test func experimentIdentitiesNeverChange() throws {
    let fixture = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/experiment-identities.tsv"), encoding: .utf8)
    var pinned: [String: [String]] = [:]
    for line in fixture.split(separator: "\n") where !line.hasPrefix("#") {
      let fields = line.split(separator: "\t").map(String.init)
      try #require(fields.count == 3, "bad fixture line \(line)")
      pinned[fields[0], default: []].append(fields[2])
    }
    #expect(pinned.keys.sorted() == ["kan-vs-mlp", "mnist-grid", "quick"])
    for name in pinned.keys.sorted() {
      let file = try ExperimentFile.load(
        path: Self.repository.appendingPathComponent("experiments/\(name).yaml").path)
      let identities = try file.plannedTrials().map(\.identity)
      #expect(identities.count == pinned[name]?.count, "\(name)")
      #expect(identities == pinned[name], "\(name): trial identities changed")
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
