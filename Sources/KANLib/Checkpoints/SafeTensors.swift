import Foundation

/// A safetensors file: named little-endian tensors plus string metadata.
///
/// Concretely (https://github.com/huggingface/safetensors):
/// ```
/// [8 bytes: header length N, little-endian u64][N bytes: JSON header][tensor data]
/// header = {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...],
///           "data_offsets": [begin, end]}, ...}     offsets relative to the data section
/// ```
/// Supported dtypes: F32 and I64 (F64, I32, U8 are read and converted). The writer orders
/// tensors by name, sorts JSON keys and pads the header with spaces to 8 bytes, so the same
/// tensors always give the same bytes.
public struct SafeTensors: Sendable {
  /// A tensor's element type.
  public enum DataType: String, Sendable {
    /// 32-bit float.
    case f32 = "F32"
    /// 64-bit signed integer.
    case i64 = "I64"
    /// 64-bit float (read only).
    case f64 = "F64"
    /// 32-bit signed integer (read only).
    case i32 = "I32"
    /// Unsigned byte (read only).
    case u8 = "U8"

    var byteCount: Int {
      switch self {
      case .f32, .i32: return 4
      case .i64, .f64: return 8
      case .u8: return 1
      }
    }
  }

  /// One tensor: its type, shape and raw little-endian bytes.
  public struct Tensor: Sendable, Equatable {
    /// Element type.
    public let dataType: DataType
    /// Row-major shape.
    public let shape: [Int]
    /// The raw bytes, little-endian.
    public let bytes: [UInt8]

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// A float tensor.
    public init(floats: [Float], shape: [Int]) {
      precondition(
        floats.count == shape.reduce(1, *), "Tensor: \(floats.count) values for \(shape)")
      dataType = .f32
      self.shape = shape
      var bytes = [UInt8]()
      bytes.reserveCapacity(floats.count * 4)
      for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
      self.bytes = bytes
    }

    /// An int64 tensor.
    public init(integers: [Int64], shape: [Int]) {
      precondition(
        integers.count == shape.reduce(1, *), "Tensor: \(integers.count) values for \(shape)")
      dataType = .i64
      self.shape = shape
      var bytes = [UInt8]()
      bytes.reserveCapacity(integers.count * 8)
      for value in integers { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
      self.bytes = bytes
    }

    init(dataType: DataType, shape: [Int], bytes: [UInt8]) {
      self.dataType = dataType
      self.shape = shape
      self.bytes = bytes
    }

    /// The elements as `Float` (converted from any supported type).
    public var floats: [Float] {
      (0..<count).map { index in
        switch dataType {
        case .f32: return Float(bitPattern: UInt32(littleEndianBytes: bytes, at: index * 4))
        case .f64: return Float(Double(bitPattern: UInt64(littleEndianBytes: bytes, at: index * 8)))
        case .i64: return Float(Int64(bitPattern: UInt64(littleEndianBytes: bytes, at: index * 8)))
        case .i32: return Float(Int32(bitPattern: UInt32(littleEndianBytes: bytes, at: index * 4)))
        case .u8: return Float(bytes[index])
        }
      }
    }

    /// The elements as `Int64` (floats are truncated).
    public var integers: [Int64] {
      switch dataType {
      case .i64:
        return (0..<count).map { Int64(bitPattern: UInt64(littleEndianBytes: bytes, at: $0 * 8)) }
      case .i32:
        return (0..<count).map {
          Int64(Int32(bitPattern: UInt32(littleEndianBytes: bytes, at: $0 * 4)))
        }
      case .u8:
        return bytes.map { Int64($0) }
      case .f32, .f64:
        return floats.map { Int64($0) }
      }
    }
  }

  /// Free-form string metadata (`__metadata__`).
  public var metadata: [String: String]
  /// The tensors by name.
  public var tensors: [String: Tensor]

  /// Creates a file in memory.
  public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The tensor called `name`, or an error naming the file.
  public func tensor(_ name: String, in path: String = "safetensors") throws(SafeTensorsError)
    -> Tensor
  {
    guard let tensor = tensors[name] else { throw .missingTensor(path: path, tensor: name) }
    return tensor
  }
}

extension UInt32 {
  init(littleEndianBytes bytes: [UInt8], at offset: Int) {
    var value: UInt32 = 0
    for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * index) }
    self = value
  }
}

extension UInt64 {
  init(littleEndianBytes bytes: [UInt8], at offset: Int) {
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * index) }
    self = value
  }
}
