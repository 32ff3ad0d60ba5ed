import Foundation
import KANLib
import Yams

extension ExperimentFile {
  static let topLevelKeys = [
    "name", "description", "method", "metric", "seeds", "run_cap", "parameters",
  ]

  /// Parses and validates experiment YAML; `path` names the file in errors.
  public init(text: String, path: String) throws(ExperimentError) {
    let parser = NodeReader(path: path)
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else {
        throw parser.error(
          nil, "", "the file is empty; it needs at least `name:` and `parameters:`")
      }
      root = node
    } catch let error as ExperimentError {
      throw error
    } catch let error as YamlError {
      throw parser.syntaxError(error, text: text)
    } catch {
      throw parser.error(nil, "", "cannot parse YAML: \(error)")
    }
    let top = try parser.mapping(root, "")
    try parser.rejectUnknown(top, allowed: Self.topLevelKeys, keyPath: "", what: "top-level key")

    guard let nameNode = top.first(where: { $0.key == "name" })?.value else {
      throw parser.error(root, "name", "is required (letters, digits, '.', '_' or '-')")
    }
    let name = try parser.string(nameNode, "name")
    if let problem = SweepName.problem(name) { throw parser.error(nameNode, "name", problem) }
    var description = ""
    if let node = top.first(where: { $0.key == "description" })?.value {
      description = try parser.string(node, "description")
    }

    var method = Method.grid
    if let node = top.first(where: { $0.key == "method" })?.value {
      let text = try parser.string(node, "method")
      guard let value = Method(rawValue: text) else {
        throw parser.error(node, "method", "'\(text)' is not a method; use grid or random")
      }
      method = value
    }

    var metricName: String?
    var metricGoal: String?
    if let node = top.first(where: { $0.key == "metric" })?.value {
      let entries = try parser.mapping(node, "metric")
      try parser.rejectUnknown(entries, allowed: ["name", "goal"], keyPath: "metric", what: "key")
      if let nameNode = entries.first(where: { $0.key == "name" })?.value {
        let value = try parser.string(nameNode, "metric.name")
        guard Self.metricNames.contains(value) else {
          let hint =
            closestMatch(to: value, in: Self.metricNames).map { " (did you mean '\($0)'?)" } ?? ""
          throw parser.error(
            nameNode, "metric.name",
            "unknown metric '\(value)'\(hint); use one of \(Self.metricNames.joined(separator: ", "))"
          )
        }
        metricName = value
      }
      if let goalNode = entries.first(where: { $0.key == "goal" })?.value {
        let value = try parser.string(goalNode, "metric.goal")
        guard value == "maximize" || value == "minimize" else {
          throw parser.error(goalNode, "metric.goal", "'\(value)' must be maximize or minimize")
        }
        metricGoal = value
      }
    }

    var seeds: [UInt64] = [0]
    if let node = top.first(where: { $0.key == "seeds" })?.value {
      let items = try parser.sequence(node, "seeds")
      guard !items.isEmpty else { throw parser.error(node, "seeds", "must list at least one seed") }
      seeds = try items.enumerated().map { index, item throws(ExperimentError) in
        let value = try parser.integer(item, "seeds[\(index)]")
        guard value >= 0 else {
          throw parser.error(item, "seeds[\(index)]", "must be ≥ 0, got \(value)")
        }
        return UInt64(value)
      }
      if Set(seeds).count != seeds.count { throw parser.error(node, "seeds", "lists a seed twice") }
    }

    var runCap: Int?
    if let node = top.first(where: { $0.key == "run_cap" })?.value {
      let value = try parser.integer(node, "run_cap")
      guard (1...Self.maximumTrials).contains(value) else {
        throw parser.error(
          node, "run_cap", "must be an integer in 1…\(Self.maximumTrials), got \(value)")
      }
      runCap = value
    }
    if method == .random && runCap == nil {
      throw parser.error(
        root, "run_cap", "is required with method: random (the number of configurations to sample)")
    }

    guard let parametersNode = top.first(where: { $0.key == "parameters" })?.value else {
      throw parser.error(
        root, "parameters", "is required: a mapping from parameter names to {value:} or {values:}")
    }
    let parameterEntries = try parser.mapping(parametersNode, "parameters")
    var parameters: [SweepParameter] = []
    for (key, keyNode, valueNode) in parameterEntries.map({ ($0.key, $0.keyNode, $0.value) }) {
      let keyPath = "parameters.\(key)"
      guard let parameter = TrainingParameter.named(key), parameter.inSweepFiles else {
        let names = TrainingParameter.sweepFileParameters.map(\.name)
        let hint = closestMatch(to: key, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw parser.error(
          keyNode, keyPath,
          "unknown parameter '\(key)'\(hint)"
            + (key == "seed" ? "; list seeds in the top-level `seeds:`" : ""))
      }
      let specification = try parser.specification(
        valueNode, parameter: parameter, keyPath: keyPath, method: method)
      parameters.append(SweepParameter(name: key, specification: specification))
    }

    self.init(
      path: path, text: text, name: name, description: description, method: method,
      metricName: metricName, metricGoal: metricGoal, seeds: seeds, runCap: runCap,
      parameters: parameters)
    // Counted before anything is expanded (checked multiplication), so no file makes
    // validation slow or large.
    let bound = plannedTrialUpperBound
    let runCapNode = top.first { $0.key == "run_cap" }?.value
    let size =
      bound == .max
      ? "more than \(Int.max) trials"
      : "\(bound) trials (\(plannedConfigurationCount) configurations × \(seeds.count) seeds)"
    if bound > Self.maximumTrials {
      throw parser.error(
        runCapNode ?? parametersNode, runCapNode == nil ? "parameters" : "run_cap",
        "the grid has \(size), more than the \(Self.maximumTrials) a sweep file may plan; "
          + "shrink the grid or split it into several files")
    }
    if method == .grid, let runCap, bound > runCap {
      let count = try plannedTrials().count
      if count > runCap {
        throw parser.error(
          runCapNode, "run_cap",
          "the grid has \(count) trials (\(plannedConfigurationCount) configurations × \(seeds.count) seeds), "
            + "more than run_cap \(runCap); raise run_cap or shrink the grid")
      }
    }
  }
}
