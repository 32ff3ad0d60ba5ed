import Foundation

#if canImport(Glibc)
  import Glibc
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  import Darwin
  private let systemWrite = Darwin.write
#endif

extension SafeTensors {
  /// Reads and validates the file at `path`.
  public static func read(path: String) throws(SafeTensorsError) -> SafeTensors {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .io(path: path, reason: "cannot read the file (\(error.localizedDescription))")
    }
    return try SafeTensors(bytes: [UInt8](data), path: path)
  }

  /// Parses safetensors bytes; `path` only names the source in errors.
  public init(bytes: [UInt8], path: String) throws(SafeTensorsError) {
    guard bytes.count >= 8 else {
      throw .truncated(path: path, what: "header length", needed: 8, available: bytes.count)
    }
    let headerLength = UInt64(littleEndianBytes: bytes, at: 0)
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw .truncated(
        path: path, what: "JSON header", needed: Int(clamping: headerLength),
        available: bytes.count - 8)
    }
    let dataStart = 8 + Int(headerLength)
    let headerBytes = Data(bytes[8..<dataStart])
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: headerBytes)
    } catch {
      throw .invalidHeader(path: path, reason: "not JSON (\(error.localizedDescription))")
    }
    guard let header = object as? [String: Any] else {
      throw .invalidHeader(path: path, reason: "the header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    var tensors: [String: Tensor] = [:]
    let dataCount = bytes.count - dataStart
    for (name, value) in header {
      if name == "__metadata__" {
        guard let entries = value as? [String: Any] else {
          throw .invalidHeader(path: path, reason: "__metadata__ is not an object")
        }
        for (key, entry) in entries {
          guard let text = entry as? String else {
            throw .invalidHeader(path: path, reason: "__metadata__['\(key)'] is not a string")
          }
          metadata[key] = text
        }
        continue
      }
      guard let fields = value as? [String: Any] else {
        throw .invalidTensor(path: path, tensor: name, reason: "entry is not an object")
      }
      guard let typeName = fields["dtype"] as? String, let dataType = DataType(rawValue: typeName)
      else {
        throw .invalidTensor(
          path: path, tensor: name,
          reason: "unsupported or missing dtype \(String(describing: fields["dtype"] ?? "nil"))")
      }
      guard let shapeValues = fields["shape"] as? [Any],
        let shape = shapeValues.map({ ($0 as? NSNumber)?.intValue }) as? [Int],
        shape.allSatisfy({ $0 >= 0 })
      else {
        throw .invalidTensor(path: path, tensor: name, reason: "shape is not a list of sizes")
      }
      guard let offsetValues = fields["data_offsets"] as? [Any], offsetValues.count == 2,
        let begin = (offsetValues[0] as? NSNumber)?.intValue,
        let end = (offsetValues[1] as? NSNumber)?.intValue
      else {
        throw .invalidTensor(path: path, tensor: name, reason: "data_offsets is not [begin, end]")
      }
      guard begin >= 0, begin <= end, end <= dataCount else {
        throw .invalidTensor(
          path: path, tensor: name,
          reason: "data_offsets [\(begin), \(end)] lie outside the \(dataCount)-byte data section")
      }
      let expected = shape.reduce(1, *) * dataType.byteCount
      guard end - begin == expected else {
        throw .invalidTensor(
          path: path, tensor: name,
          reason:
            "shape \(shape) of \(typeName) needs \(expected) bytes, offsets give \(end - begin)")
      }
      tensors[name] = Tensor(
        dataType: dataType, shape: shape,
        bytes: Array(bytes[(dataStart + begin)..<(dataStart + end)]))
    }
    self.init(tensors: tensors, metadata: metadata)
  }

  /// The file's bytes: deterministic for the same tensors and metadata.
  public func serialized() -> [UInt8] {
    var header = "{"
    var parts: [String] = []
    if !metadata.isEmpty {
      let entries = metadata.keys.sorted().map {
        "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))"
      }
      parts.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
    }
    var offset = 0
    let names = tensors.keys.sorted()
    for name in names {
      guard let tensor = tensors[name] else { continue }
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      parts.append(
        "\(jsonString(name)):{\"dtype\":\"\(tensor.dataType.rawValue)\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}")
      offset += tensor.bytes.count
    }
    header += parts.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
    var output = [UInt8]()
    output.reserveCapacity(8 + headerBytes.count + offset)
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { output += $0 }
    output += headerBytes
    for name in names { output += tensors[name]?.bytes ?? [] }
    return output
  }

  /// Writes the file through a temporary file and an atomic rename: a crash leaves either the
  /// old file or the new one, never half of one.
  ///
  /// The file is not fsync'ed (like the SQLite store's `synchronous = NORMAL` commits): a power
  /// cut can lose the newest files, which a resumed sweep recomputes with the same bits, and a
  /// checkpoint that does not match its stored SHA-256 is reported by `sweep rerun`/`eval`.
  public func write(path: String) throws(SafeTensorsError) {
    try Self.write(serialized(), path: path)
  }

  /// Writes already serialized bytes the same way as ``write(path:)`` or, unless `atomically`,
  /// straight into `path` (for callers that record the file's SHA-256 only once it is complete,
  /// so a half-written file is never taken for a checkpoint).
  static func write(_ bytes: [UInt8], path: String, atomically: Bool = true)
    throws(SafeTensorsError)
  {
    let url = URL(fileURLWithPath: path)
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw .io(path: path, reason: "cannot create its folder (\(error.localizedDescription))")
    }
    let temporary =
      atomically
      ? url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent).\(getpid()).tmp"
      ).path : path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .io(
        path: path, reason: "cannot create \(temporary) (\(String(cString: strerror(errno))))")
    }
    var written = 0
    var failure: Int32 = 0
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      while written < buffer.count {
        let result = systemWrite(descriptor, base + written, buffer.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        written += result
      }
    }
    if close(descriptor) != 0 && failure == 0 { failure = errno }
    if failure == 0 && atomically && rename(temporary, path) != 0 { failure = errno }
    guard failure == 0 else {
      unlink(temporary)
      throw .io(path: path, reason: "cannot write the file (\(String(cString: strerror(failure))))")
    }
  }

  private func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case let c where c.value < 0x20: result += String(format: "\\u%04x", c.value)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
