import KANLib
import Yams

/// Reads typed values out of a YAML node tree, turning every mismatch into an
/// ``ExperimentError`` at the node's line and column.
struct NodeReader {
  let path: String

  struct Entry {
    let key: String
    let keyNode: Node
    let value: Node
  }

  func error(_ node: Node?, _ keyPath: String, _ message: String) -> ExperimentError {
    ExperimentError(
      file: path, line: node?.mark?.line, column: node?.mark?.column, keyPath: keyPath,
      message: message)
  }

  func syntaxError(_ error: YamlError, text: String) -> ExperimentError {
    switch error {
    case .duplicatedKeysInMapping(let duplicates, let context):
      // Yams marks the mapping; point at the key's second appearance instead.
      let key = duplicates.sorted().first ?? ""
      var seen = 0
      for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix(key),
          trimmed.dropFirst(key.count).drop(while: { $0 == " " }).first == ":"
        else { continue }
        seen += 1
        if seen == 2 {
          return ExperimentError(
            file: path, line: index + 1, column: line.count - trimmed.count + 1, keyPath: key,
            message: "appears twice in the same mapping; keep one")
        }
      }
      return ExperimentError(
        file: path, line: context.mark.line, column: context.mark.column, keyPath: key,
        message: "appears twice in the same mapping; keep one")
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(
        separator: ": ")
      return ExperimentError(
        file: path, line: mark.line, column: mark.column, keyPath: "",
        message: "YAML syntax error: \(detail)")
    default:
      return ExperimentError(
        file: path, line: nil, column: nil, keyPath: "", message: "YAML error: \(error)")
    }
  }

  func mapping(_ node: Node, _ keyPath: String) throws(ExperimentError) -> [Entry] {
    guard case .mapping(let mapping) = node else {
      throw error(node, keyPath, "must be a mapping (key: value lines), got \(describe(node))")
    }
    var entries: [Entry] = []
    for (key, value) in mapping {
      guard case .scalar(let scalar) = key else {
        throw error(key, keyPath, "keys must be plain names")
      }
      if entries.contains(where: { $0.key == scalar.string }) {
        throw error(
          key, keyPath.isEmpty ? scalar.string : "\(keyPath).\(scalar.string)", "appears twice")
      }
      entries.append(Entry(key: scalar.string, keyNode: key, value: value))
    }
    return entries
  }

  func sequence(_ node: Node, _ keyPath: String) throws(ExperimentError) -> [Node] {
    guard case .sequence(let sequence) = node else {
      throw error(node, keyPath, "must be a list like [a, b], got \(describe(node))")
    }
    return Array(sequence)
  }

  func string(_ node: Node, _ keyPath: String) throws(ExperimentError) -> String {
    guard case .scalar(let scalar) = node else {
      throw error(node, keyPath, "must be a single value, got \(describe(node))")
    }
    return scalar.string
  }

  func integer(_ node: Node, _ keyPath: String) throws(ExperimentError) -> Int {
    guard case .scalar = node, let value = node.int else {
      throw error(node, keyPath, "must be an integer, got \(describe(node))")
    }
    return value
  }

  func number(_ node: Node, _ keyPath: String) throws(ExperimentError) -> Double {
    guard case .scalar = node, let value = node.int.map(Double.init) ?? node.float, value.isFinite
    else {
      throw error(node, keyPath, "must be a number, got \(describe(node))")
    }
    return value
  }

  func rejectUnknown(_ entries: [Entry], allowed: [String], keyPath: String, what: String)
    throws(ExperimentError)
  {
    for entry in entries where !allowed.contains(entry.key) {
      let hint = closestMatch(to: entry.key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
      throw error(
        entry.keyNode, keyPath.isEmpty ? entry.key : "\(keyPath).\(entry.key)",
        "unknown \(what) '\(entry.key)'\(hint); expected one of \(allowed.joined(separator: ", "))")
    }
  }

  func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return "'\(scalar.string)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    default: return "an alias"
    }
  }

  /// One typed, range-checked value of `parameter`.
  func value(_ node: Node, parameter: TrainingParameter, keyPath: String)
    throws(ExperimentError)
    -> ParameterValue
  {
    let value: ParameterValue
    switch parameter.type {
    case .integer: value = .integer(try integer(node, keyPath))
    case .number: value = .number(try number(node, keyPath))
    case .choice(let names):
      let text = try string(node, keyPath)
      guard names.contains(text) else {
        let hint = closestMatch(to: text, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(
          node, keyPath,
          "unknown \(parameter.name) '\(text)'\(hint); use one of \(names.joined(separator: ", "))")
      }
      value = .text(text)
    case .integers:
      let items = try sequence(node, keyPath)
      value = .integers(
        try items.enumerated().map { index, item throws(ExperimentError) in
          try integer(item, "\(keyPath)[\(index)]")
        })
    case .numbers:
      let items = try sequence(node, keyPath)
      value = .numbers(
        try items.enumerated().map { index, item throws(ExperimentError) in
          try number(item, "\(keyPath)[\(index)]")
        })
    }
    var configuration = TrainingConfiguration()
    if let problem = parameter.assign(value, to: &configuration)
      ?? configuration.problems.first(where: { $0.key == parameter.name })?.message
    {
      throw error(node, keyPath, problem)
    }
    return value
  }

  /// `{value: X}`, `{values: [...]}` or `{distribution: ..., min: ..., max: ...}`.
  func specification(
    _ node: Node, parameter: TrainingParameter, keyPath: String, method: ExperimentFile.Method
  ) throws(ExperimentError) -> ParameterSpecification {
    let name = parameter.name
    let entries = try mapping(node, keyPath)
    try rejectUnknown(
      entries, allowed: ["value", "values", "distribution", "min", "max"], keyPath: keyPath,
      what: "key")
    let keys = Set(entries.map(\.key))
    if let single = entries.first(where: { $0.key == "value" }), keys == ["value"] {
      return .fixed(try value(single.value, parameter: parameter, keyPath: "\(keyPath).value"))
    }
    if let list = entries.first(where: { $0.key == "values" }), keys == ["values"] {
      let items = try sequence(list.value, "\(keyPath).values")
      guard !items.isEmpty else {
        throw error(list.value, "\(keyPath).values", "must list at least one value")
      }
      var values: [ParameterValue] = []
      for (index, item) in items.enumerated() {
        let parsed = try value(item, parameter: parameter, keyPath: "\(keyPath).values[\(index)]")
        if values.contains(parsed) {
          throw error(item, "\(keyPath).values[\(index)]", "repeats \(parsed)")
        }
        values.append(parsed)
      }
      return .values(values)
    }
    if let distribution = entries.first(where: { $0.key == "distribution" }) {
      guard method == .random else {
        throw error(
          distribution.value, "\(keyPath).distribution",
          "distributions need `method: random`; a grid takes {values: [...]}")
      }
      let kindName = try string(distribution.value, "\(keyPath).distribution")
      guard let minNode = entries.first(where: { $0.key == "min" })?.value,
        let maxNode = entries.first(where: { $0.key == "max" })?.value
      else { throw error(node, keyPath, "a distribution needs both min and max") }
      switch (kindName, parameter.type) {
      case ("int_uniform", .integer):
        let low = try value(minNode, parameter: parameter, keyPath: "\(keyPath).min")
        let high = try value(maxNode, parameter: parameter, keyPath: "\(keyPath).max")
        guard case .integer(let a) = low, case .integer(let b) = high, a <= b else {
          throw error(maxNode, "\(keyPath).max", "must be ≥ min")
        }
        return .integerUniform(min: a, max: b)
      case ("uniform", .number), ("log_uniform_values", .number):
        let low = try value(minNode, parameter: parameter, keyPath: "\(keyPath).min")
        let high = try value(maxNode, parameter: parameter, keyPath: "\(keyPath).max")
        guard case .number(let a) = low, case .number(let b) = high, a < b else {
          throw error(maxNode, "\(keyPath).max", "must be greater than min")
        }
        if kindName == "uniform" { return .uniform(min: a, max: b) }
        guard a > 0 else {
          throw error(minNode, "\(keyPath).min", "log_uniform_values needs min > 0")
        }
        return .logUniform(min: a, max: b)
      default:
        let allowed = ["uniform", "int_uniform", "log_uniform_values"]
        let hint = closestMatch(to: kindName, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(
          distribution.value, "\(keyPath).distribution",
          "'\(kindName)'\(hint) does not fit \(name) (\(parameter.type.summary)); use int_uniform for integers, "
            + "uniform or log_uniform_values for numbers, or {values: [...]}")
      }
    }
    throw error(
      node, keyPath,
      "needs exactly one of {value: X}, {values: [...]} or {distribution: ..., min: ..., max: ...}")
  }
}
