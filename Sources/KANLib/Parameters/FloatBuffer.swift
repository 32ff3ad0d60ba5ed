/// A fixed-size, zero-initialized buffer of `Float` with a stable address.
///
/// Layers, caches and the parameter arena use it so that the training loop can hand raw
/// pointers to BLAS without copying and without allocating per step.
public final class FloatBuffer {
  /// The number of elements.
  public let count: Int
  /// The first element; valid for `count` elements until the buffer is released.
  public let pointer: UnsafeMutablePointer<Float>

  /// Allocates `count` elements set to `value`.
  public init(count: Int, repeating value: Float = 0) {
    precondition(count >= 0, "FloatBuffer: negative count \(count)")
    self.count = count
    pointer = .allocate(capacity: max(1, count))
    pointer.initialize(repeating: value, count: max(1, count))
  }

  /// Allocates a buffer holding a copy of `values`.
  public convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
    }
  }

  deinit {
    pointer.deallocate()
  }

  /// A copy of the elements as an array.
  public var array: [Float] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
  }

  /// The element at `index`.
  public subscript(index: Int) -> Float {
    get {
      precondition(index >= 0 && index < count, "FloatBuffer: index \(index) out of 0..<\(count)")
      return pointer[index]
    }
    set {
      precondition(index >= 0 && index < count, "FloatBuffer: index \(index) out of 0..<\(count)")
      pointer[index] = newValue
    }
  }

  /// Sets every element to `value`.
  public func fill(_ value: Float) {
    pointer.update(repeating: value, count: count)
  }
}
