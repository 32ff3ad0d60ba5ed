/// A named, shaped view into a flat arena of `Float`.
///
/// Names follow efficient-kan's `state_dict` (`layers.0.base_weight`), so checkpoints and
/// fixtures map onto the arena one to one.
public struct TensorEntry: Sendable, Equatable, Codable {
  /// The `state_dict` name of the tensor.
  public let name: String
  /// The index of the first element in the arena.
  public let offset: Int
  /// The row-major shape.
  public let shape: [Int]

  /// The number of elements (product of `shape`).
  public var count: Int { shape.reduce(1, *) }

  /// Creates an entry.
  public init(name: String, offset: Int, shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "TensorEntry \(name): negative shape \(shape)")
    self.name = name
    self.offset = offset
    self.shape = shape
  }
}

/// Collects tensor entries one after another before an arena is allocated.
public struct TensorLayout: Sendable {
  /// The entries in arena order.
  public private(set) var entries: [TensorEntry] = []
  /// The total number of elements.
  public private(set) var count = 0

  /// Creates an empty layout.
  public init() {}

  /// Appends a tensor and returns its entry.
  public mutating func add(_ name: String, shape: [Int]) -> TensorEntry {
    precondition(!entries.contains { $0.name == name }, "TensorLayout: duplicate name \(name)")
    let entry = TensorEntry(name: name, offset: count, shape: shape)
    entries.append(entry)
    count += entry.count
    return entry
  }
}
