/// One flat buffer holding many named tensors.
///
/// All trainable parameters of a network live in one arena, their gradients in a second buffer
/// of the same layout and AdamW's moments in two more, so that zeroing, the optimizer step and
/// checkpointing are single loops (as in llm.c).
public final class TensorArena {
  /// The tensors in storage order.
  public let entries: [TensorEntry]
  /// The storage; `entries` index into it.
  public let storage: FloatBuffer

  /// Allocates zeroed storage for `layout`.
  public init(layout: TensorLayout) {
    entries = layout.entries
    storage = FloatBuffer(count: layout.count)
  }

  /// The total number of elements.
  public var count: Int { storage.count }

  /// The entry called `name`, if any.
  public func entry(named name: String) -> TensorEntry? {
    entries.first { $0.name == name }
  }

  /// A copy of the elements of `entry`.
  public func values(of entry: TensorEntry) -> [Float] {
    Array(UnsafeBufferPointer(start: storage.pointer + entry.offset, count: entry.count))
  }

  /// Overwrites the elements of `entry` with `values`.
  public func assign(_ values: [Float], to entry: TensorEntry) {
    precondition(
      values.count == entry.count,
      "TensorArena.assign \(entry.name): expected \(entry.count) values, got \(values.count)")
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress {
        (storage.pointer + entry.offset).update(from: base, count: entry.count)
      }
    }
  }

  /// A pointer to the first element of `entry`.
  public func pointer(to entry: TensorEntry) -> UnsafeMutablePointer<Float> {
    storage.pointer + entry.offset
  }
}
