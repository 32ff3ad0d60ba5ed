import Foundation
import KANLib
import Yams

extension ExperimentFile {
  /// The keys kan-sweep reads.
  static let topLevelKeys = [
    "name", "description", "method", "metric", "seeds", "run_cap", "early_terminate",
    "parameters",
  ]

  /// W&B keys about running a training program, which kan-sweep (training its own models)
  /// accepts and ignores with one note each.
  static let ignoredKeys = [
    "program", "command", "project", "entity", "controller", "job", "scheduler",
  ]

  /// Names W&B users write for our parameters, for "did you mean" hints.
  static let parameterAliases = [
    "lr": "learning_rate", "learn_rate": "learning_rate", "num_epochs": "epochs",
    "n_epochs": "epochs", "epoch": "epochs", "bs": "batch_size", "wd": "weight_decay",
    "decay": "weight_decay", "grid": "grid_size", "k": "spline_order", "order": "spline_order",
    "hidden": "hidden_layers", "layers": "hidden_layers", "activation": "base_activation",
  ]

  /// Metric names W&B users write, for "did you mean" hints.
  static let metricAliases = [
    "loss": "val_loss", "validation_loss": "val_loss", "acc": "val_accuracy",
    "accuracy": "val_accuracy", "val_acc": "val_accuracy", "validation_accuracy": "val_accuracy",
    "rmse": "val_rmse",
  ]

  /// Parses and validates experiment YAML; `path` names the file in errors. Every problem found
  /// in one pass is reported together (see ``ExperimentError/additional``).
  public init(text: String, path: String) throws(ExperimentError) {
    let reader = NodeReader(path: path)
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else {
        throw reader.error(nil, "", "the file is empty; it needs at least `parameters:`")
      }
      root = node
    } catch let error as ExperimentError {
      throw error
    } catch let error as YamlError {
      throw reader.syntaxError(error, text: text)
    } catch {
      throw reader.error(nil, "", "cannot parse YAML: \(error)")
    }
    let top = try reader.mapping(root, "")
    func node(_ key: String) -> Node? { top.first { $0.key == key }?.value }

    var notes: [String] = []
    for entry in top where !Self.topLevelKeys.contains(entry.key) {
      if Self.ignoredKeys.contains(entry.key) {
        notes.append(
          "\(entry.key): ignored (kan-sweep trains its own KAN and MLP models, so W&B's "
            + "`\(entry.key)` does not apply)")
      } else {
        let known = Self.topLevelKeys + Self.ignoredKeys
        let hint = closestMatch(to: entry.key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
        reader.record(
          reader.error(
            entry.keyNode, entry.key,
            "unknown top-level key '\(entry.key)'\(hint); expected one of "
              + known.joined(separator: ", ")))
      }
    }

    // name: optional; free text is shown as written and stored under a slug.
    var displayName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    if let nameNode = node("name"),
      let name = reader.attempt({ () throws(ExperimentError) in
        try reader.string(nameNode, "name")
      })
    {
      displayName = name
    }
    let name = SweepName.slug(displayName)
    if SweepName.problem(name) != nil {
      reader.record(
        reader.error(
          node("name"), "name",
          "'\(displayName)' does not give a usable name; use letters, digits, '.', '_' or '-'"))
    }

    let description =
      node("description").flatMap { description in
        reader.attempt { () throws(ExperimentError) in try reader.string(description, "description")
        }
      } ?? ""

    var method = Method.grid
    if let methodNode = node("method"),
      let text = reader.attempt({ () throws(ExperimentError) in
        try reader.string(methodNode, "method")
      })
    {
      if let value = Method(rawValue: text) {
        method = value
      } else {
        reader.record(
          reader.error(methodNode, "method", "'\(text)' is not a method; use grid, random or bayes")
        )
      }
    }

    let metric = node("metric").flatMap { metricNode in
      reader.attempt { () throws(ExperimentError) in try Self.readMetric(metricNode, reader) }
    }

    var seeds: [UInt64] = [0]
    if let seedsNode = node("seeds") {
      seeds =
        reader.attempt { () throws(ExperimentError) in try Self.readSeeds(seedsNode, reader) } ?? [
          0
        ]
    }

    var runCap: Int?
    if let capNode = node("run_cap") {
      runCap = reader.attempt { () throws(ExperimentError) in
        let value = try reader.integer(capNode, "run_cap")
        guard (1...Self.maximumTrials).contains(value) else {
          throw reader.error(
            capNode, "run_cap", "must be an integer in 1…\(Self.maximumTrials), got \(value)")
        }
        return value
      }
    }

    let earlyTermination = node("early_terminate").flatMap { terminationNode in
      reader.attempt { () throws(ExperimentError) in
        try Self.readEarlyTermination(terminationNode, reader)
      }
    }

    var parameters: [SweepParameter] = []
    if let parametersNode = node("parameters") {
      parameters = Self.readParameters(parametersNode, method: method, reader)
    } else {
      reader.record(
        reader.error(
          nil, "parameters",
          "is required: a mapping from parameter names to {value:}, {values:} or a distribution"))
    }

    if let problems = ExperimentError(collecting: reader.problems.all) { throw problems }
    if let metric = metric?.name, metric.hasPrefix("test_") {
      notes.append(
        "metric.name: choosing hyperparameters on \(metric) selects on the test set; reviewers "
          + "will ask for a validation metric (\(metric.replacingOccurrences(of: "test_", with: "val_"))"
          + ", measured on the held-out validation_fraction)")
    }
    self.init(
      path: path, text: text, name: name, displayName: displayName, description: description,
      method: method, metricName: metric?.name, metricGoal: metric?.goal,
      metricTarget: metric?.target, seeds: seeds, runCap: runCap,
      earlyTermination: earlyTermination, parameters: parameters, notes: notes)
    try checkSize(runCapNode: node("run_cap"), parametersNode: node("parameters"), reader)
  }

  /// Counts the trials before anything is expanded (checked multiplication), so no file makes
  /// validation slow or large.
  private func checkSize(runCapNode: Node?, parametersNode: Node?, _ reader: NodeReader)
    throws(ExperimentError)
  {
    guard method == .grid || runCap != nil, method != .bayes else { return }
    let bound = plannedTrialUpperBound
    let size =
      bound == .max
      ? "more than \(Int.max) trials"
      : "\(bound) trials (\(plannedConfigurationCount) configurations × \(seeds.count) seeds)"
    if bound > Self.maximumTrials {
      throw reader.error(
        runCapNode ?? parametersNode, runCapNode == nil ? "parameters" : "run_cap",
        "the grid has \(size), more than the \(Self.maximumTrials) a sweep file may plan; "
          + "shrink the grid or split it into several files")
    }
    if method == .grid, let runCap, bound > runCap {
      let count = try plannedTrials().count
      if count > runCap {
        throw reader.error(
          runCapNode, "run_cap",
          "the grid has \(count) trials (\(plannedConfigurationCount) configurations × \(seeds.count) seeds), "
            + "more than run_cap \(runCap); raise run_cap or shrink the grid")
      }
    }
  }

  static func readMetric(_ node: Node, _ reader: NodeReader) throws(ExperimentError) -> (
    name: String?, goal: String?, target: Double?
  ) {
    let entries = try reader.mapping(node, "metric")
    reader.rejectUnknownCollecting(
      entries, allowed: ["name", "goal", "target"], keyPath: "metric", what: "key")
    var name: String?
    var goal: String?
    var target: Double?
    if let nameNode = entries.first(where: { $0.key == "name" })?.value,
      let value = reader.attempt({ () throws(ExperimentError) in
        try reader.string(nameNode, "metric.name")
      })
    {
      if metricNames.contains(value) {
        name = value
      } else {
        let hint =
          (metricAliases[value] ?? closestMatch(to: value, in: metricNames)).map {
            " (did you mean '\($0)'?)"
          } ?? ""
        reader.record(
          reader.error(
            nameNode, "metric.name",
            "unknown metric '\(value)'\(hint); use one of \(metricNames.joined(separator: ", "))"))
      }
    }
    if let goalNode = entries.first(where: { $0.key == "goal" })?.value,
      let value = reader.attempt({ () throws(ExperimentError) in
        try reader.string(goalNode, "metric.goal")
      })
    {
      if value == "maximize" || value == "minimize" {
        goal = value
      } else {
        reader.record(
          reader.error(goalNode, "metric.goal", "'\(value)' must be maximize or minimize"))
      }
    }
    if let targetNode = entries.first(where: { $0.key == "target" })?.value {
      target = reader.attempt { () throws(ExperimentError) in
        try reader.number(targetNode, "metric.target")
      }
    }
    return (name, goal, target)
  }

  static func readSeeds(_ node: Node, _ reader: NodeReader) throws(ExperimentError) -> [UInt64] {
    let items = try reader.sequence(node, "seeds")
    guard !items.isEmpty else { throw reader.error(node, "seeds", "must list at least one seed") }
    let seeds = try items.enumerated().map { index, item throws(ExperimentError) in
      let value = try reader.integer(item, "seeds[\(index)]")
      guard value >= 0 else {
        throw reader.error(item, "seeds[\(index)]", "must be ≥ 0, got \(value)")
      }
      return UInt64(value)
    }
    if Set(seeds).count != seeds.count { throw reader.error(node, "seeds", "lists a seed twice") }
    return seeds
  }

  static func readEarlyTermination(_ node: Node, _ reader: NodeReader) throws(ExperimentError)
    -> EarlyTermination
  {
    let entries = try reader.mapping(node, "early_terminate")
    func value(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
    guard let typeNode = value("type") else {
      throw reader.error(node, "early_terminate.type", "is required: hyperband or median")
    }
    let type = try reader.string(typeNode, "early_terminate.type")
    func integer(_ key: String) throws(ExperimentError) -> Int? {
      guard let node = value(key) else { return nil }
      let number = try reader.integer(node, "early_terminate.\(key)")
      guard (1...100_000).contains(number) else {
        throw reader.error(node, "early_terminate.\(key)", "must be an integer in 1…100000")
      }
      return number
    }
    switch type {
    case "hyperband":
      reader.rejectUnknownCollecting(
        entries, allowed: ["type", "min_iter", "max_iter", "s", "eta", "strict"],
        keyPath: "early_terminate", what: "key")
      var eta = 3.0
      if let etaNode = value("eta") {
        eta = try reader.number(etaNode, "early_terminate.eta")
        guard eta >= 1.5 && eta <= 100 else {
          throw reader.error(etaNode, "early_terminate.eta", "must be a number in [1.5, 100]")
        }
      }
      let minIter = try integer("min_iter")
      let maxIter = try integer("max_iter")
      let s = try integer("s")
      guard minIter != nil || (maxIter != nil && s != nil) else {
        throw reader.error(
          node, "early_terminate",
          "hyperband needs min_iter, or max_iter with s (the number of brackets)")
      }
      return .hyperband(minIter: minIter, maxIter: maxIter, s: s, eta: eta)
    case "median":
      reader.rejectUnknownCollecting(
        entries, allowed: ["type", "min_iter"], keyPath: "early_terminate", what: "key")
      return .median(minIter: try integer("min_iter") ?? 1)
    default:
      throw reader.error(
        typeNode, "early_terminate.type", "'\(type)' is not supported; use hyperband or median")
    }
  }

  /// The parameters, nested `parameters:` flattened (a nested or dotted name counts when its
  /// last component is one of ours); every unknown name and bad specification is recorded.
  static func readParameters(_ node: Node, method: Method, _ reader: NodeReader)
    -> [SweepParameter]
  {
    guard
      let entries = reader.attempt({ () throws(ExperimentError) in
        try reader.mapping(node, "parameters")
      })
    else { return [] }
    var result: [SweepParameter] = []
    var leaves: [(spelling: String, keyNode: Node, value: Node)] = []
    func flatten(_ entries: [NodeReader.Entry], prefix: String) {
      for entry in entries {
        let spelling = prefix + entry.key
        if case .mapping = entry.value,
          let nested = (try? reader.mapping(entry.value, "parameters.\(spelling)"))?.first(where: {
            $0.key == "parameters"
          })
        {
          guard
            let children = reader.attempt({ () throws(ExperimentError) in
              try reader.mapping(nested.value, "parameters.\(spelling).parameters")
            })
          else { continue }
          flatten(children, prefix: spelling + ".")
        } else {
          leaves.append((spelling, entry.keyNode, entry.value))
        }
      }
    }
    flatten(entries, prefix: "")
    var seen: [String: String] = [:]
    let names = TrainingParameter.sweepFileParameters.map(\.name)
    for leaf in leaves {
      let keyPath = "parameters.\(leaf.spelling)"
      let last = String(leaf.spelling.split(separator: ".").last ?? "")
      let parameter =
        TrainingParameter.named(leaf.spelling).flatMap { $0.inSweepFiles ? $0 : nil }
        ?? TrainingParameter.named(last).flatMap { $0.inSweepFiles ? $0 : nil }
      guard let parameter else {
        let hint: String
        if last == "seed" {
          hint = "; list seeds in the top-level `seeds:`"
        } else if let match = parameterAliases[last] ?? closestMatch(to: last, in: names) {
          hint = " (did you mean '\(match)'?)"
        } else {
          hint = "; kan-sweep's parameters are " + names.joined(separator: ", ")
        }
        reader.record(
          reader.error(leaf.keyNode, keyPath, "unknown parameter '\(leaf.spelling)'\(hint)"))
        continue
      }
      if let earlier = seen[parameter.name] {
        reader.record(
          reader.error(
            leaf.keyNode, keyPath,
            "sets \(parameter.name), as '\(earlier)' already does; a kan-sweep parameter can be set once"
          ))
        continue
      }
      seen[parameter.name] = leaf.spelling
      if let found = reader.attempt({ () throws(ExperimentError) in
        try reader.specification(leaf.value, parameter: parameter, keyPath: keyPath, method: method)
      }), let specification = found {
        result.append(
          SweepParameter(
            name: parameter.name, specification: specification, spelling: leaf.spelling))
      }
    }
    return result
  }
}
