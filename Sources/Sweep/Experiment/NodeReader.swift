import KANLib
import Yams

/// Reads typed values out of a YAML node tree, turning every mismatch into an
/// ``ExperimentError`` at the node's line and column.
struct NodeReader {
  let path: String
  /// Problems recorded so far (a pass goes on after a problem to report every one).
  let problems = Problems()

  /// The problems of one pass.
  final class Problems {
    private(set) var all: [ExperimentError] = []
    func append(_ error: ExperimentError) { all.append(contentsOf: error.all) }
  }

  /// Records a problem and goes on.
  func record(_ error: ExperimentError) { problems.append(error) }

  /// Runs `body`; on a problem, records it and returns nil (so the pass goes on).
  func attempt<T>(_ body: () throws(ExperimentError) -> T) -> T? {
    do {
      return try body()
    } catch {
      record(error)
      return nil
    }
  }

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

  /// Records every key of `entries` that is not in `allowed`, with a hint.
  func rejectUnknownCollecting(
    _ entries: [Entry], allowed: [String], keyPath: String, what: String
  ) {
    for entry in entries where !allowed.contains(entry.key) {
      let hint = closestMatch(to: entry.key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
      record(
        error(
          entry.keyNode, keyPath.isEmpty ? entry.key : "\(keyPath).\(entry.key)",
          "unknown \(what) '\(entry.key)'\(hint); expected one of \(allowed.joined(separator: ", "))"
        ))
    }
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

  /// W&B's parameter grammar: `{value: X}`, `{values: [...], probabilities: [...]}` or a
  /// distribution (`distribution:` with `min`/`max`, `mu`/`sigma` and `q` as it takes them;
  /// without `distribution`, `min`/`max` mean int_uniform when both are integers, else
  /// uniform). Every problem inside is recorded; returns nil when there were any.
  func specification(
    _ node: Node, parameter: TrainingParameter, keyPath: String, method: ExperimentFile.Method
  ) throws(ExperimentError) -> ParameterSpecification? {
    let entries = try mapping(node, keyPath)
    let before = problems.all.count
    rejectUnknownCollecting(
      entries,
      allowed: [
        "value", "values", "distribution", "min", "max", "mu", "sigma", "q", "probabilities",
      ],
      keyPath: keyPath, what: "key")
    func entry(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
    var kind: String?
    if let node = entry("distribution") {
      kind = attempt { () throws(ExperimentError) in try string(node, "\(keyPath).distribution") }
    }
    if kind == nil && entry("distribution") == nil {
      if entry("value") != nil {
        kind = "constant"
      } else if entry("values") != nil {
        kind = "categorical"
      } else if let low = entry("min"), let high = entry("max") {
        kind = low.int != nil && high.int != nil ? "int_uniform" : "uniform"
      } else {
        throw error(
          node, keyPath,
          "needs {value: X}, {values: [...]} or a distribution (e.g. {min: 1e-4, max: 1e-2})")
      }
    }
    guard let kind else { throw error(node, keyPath, "has an unreadable distribution") }
    let result: ParameterSpecification?
    switch kind {
    case "constant":
      guard let single = entry("value") else {
        throw error(node, keyPath, "distribution constant needs `value`")
      }
      result = attempt { () throws(ExperimentError) in
        .fixed(try value(single, parameter: parameter, keyPath: "\(keyPath).value"))
      }
    case "categorical":
      guard let list = entry("values") else {
        throw error(node, keyPath, "distribution categorical needs `values`")
      }
      let items = try sequence(list, "\(keyPath).values")
      guard !items.isEmpty else {
        throw error(list, "\(keyPath).values", "must list at least one value")
      }
      let values = items.enumerated().compactMap { index, item in
        attempt { () throws(ExperimentError) in
          try value(item, parameter: parameter, keyPath: "\(keyPath).values[\(index)]")
        }
      }
      var probabilities: [Double]?
      if let weights = entry("probabilities") {
        probabilities = attempt { () throws(ExperimentError) in
          let numbers = try sequence(weights, "\(keyPath).probabilities").enumerated().map {
            index, item throws(ExperimentError) in
            try number(item, "\(keyPath).probabilities[\(index)]")
          }
          guard numbers.count == items.count, numbers.allSatisfy({ $0 >= 0 }),
            abs(numbers.reduce(0, +) - 1) < 1e-6
          else {
            throw error(
              weights, "\(keyPath).probabilities",
              "must be \(items.count) numbers ≥ 0 that sum to 1, one per value")
          }
          return numbers
        }
      }
      result = values.count == items.count ? .values(values, probabilities: probabilities) : nil
    default:
      guard let distribution = Distribution.Kind(rawValue: kind) else {
        let names = ["constant", "categorical"] + Distribution.Kind.allCases.map(\.rawValue)
        let hint = closestMatch(to: kind, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(
          entry("distribution"), "\(keyPath).distribution",
          "unknown distribution '\(kind)'\(hint); use one of \(names.joined(separator: ", "))")
      }
      result = attempt { () throws(ExperimentError) in
        .distribution(
          try self.distribution(distribution, entries, node, parameter: parameter, keyPath: keyPath)
        )
      }
    }
    if case .distribution = result, method == .grid {
      throw error(
        entry("distribution") ?? node, keyPath,
        "a grid takes {value: X} or {values: [...]}; distributions need method random or bayes")
    }
    return problems.all.count == before ? result : nil
  }

  /// A distribution's fields, checked: bounds in order and inside the parameter's range.
  func distribution(
    _ kind: Distribution.Kind, _ entries: [Entry], _ node: Node, parameter: TrainingParameter,
    keyPath: String
  ) throws(ExperimentError) -> Distribution {
    func entry(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
    let range: ClosedRange<Double>
    let integer: Bool
    switch parameter.type {
    case .integer(let bounds):
      range = Double(bounds.lowerBound)...Double(bounds.upperBound)
      integer = true
    case .number(let bounds):
      range = bounds
      integer = false
    default:
      throw error(
        entry("distribution") ?? node, keyPath,
        "\(parameter.name) is \(parameter.type.summary); draw it with {values: [...]}")
    }
    func read(_ key: String, default fallback: Double?) throws(ExperimentError) -> Double {
      guard let node = entry(key) else {
        if let fallback { return fallback }
        throw error(node, keyPath, "distribution \(kind.rawValue) needs `\(key)`")
      }
      return try number(node, "\(keyPath).\(key)")
    }
    let usesBounds = !kind.isNormal
    let low = usesBounds ? try read("min", default: nil) : 0
    let high = usesBounds ? try read("max", default: nil) : 0
    let mu = kind.isNormal ? try read("mu", default: 0) : 0
    let sigma = kind.isNormal ? try read("sigma", default: 1) : 1
    let q = kind.isQuantized ? try read("q", default: 1) : nil
    if usesBounds {
      guard kind == .intUniform ? low <= high : low < high else {
        throw error(entry("max"), "\(keyPath).max", "must be greater than min (\(low))")
      }
      if [.logUniformValues, .qLogUniformValues, .invLogUniformValues].contains(kind) && low <= 0 {
        throw error(entry("min"), "\(keyPath).min", "\(kind.rawValue) needs min > 0")
      }
      if kind == .intUniform && (low != low.rounded() || high != high.rounded()) {
        throw error(node, keyPath, "int_uniform needs integer min and max")
      }
    } else if !(sigma > 0) {
      throw error(entry("sigma"), "\(keyPath).sigma", "must be positive")
    }
    if let q, !(q > 0) { throw error(entry("q"), "\(keyPath).q", "must be positive") }
    let distribution = Distribution(
      kind: kind, min: low, max: high, mu: mu, sigma: sigma, q: q, integer: integer)
    // A bounded distribution must stay inside the parameter's range; unbounded ones are redrawn.
    if let bounds = distribution.underlyingBounds {
      let ends = [bounds.lowerBound, bounds.upperBound].map(distribution.value(underlying:))
      if let outside = ends.first(where: { !range.contains($0) }) {
        throw error(
          node, keyPath,
          "draws reach \(formatNumber(outside)), outside \(parameter.name)'s range "
            + "(\(parameter.type.summary))")
      }
    }
    return distribution
  }
}

/// A number as messages show it.
func formatNumber(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
}
