import CZlib

/// The one place where kan-sweep calls zlib: gzip decompression of data set files.
///
/// Foundation on Linux cannot read gzip, so `.gz` files go through zlib's `inflate` with window
/// bits 15 + 32 (automatic gzip/zlib header detection). Concatenated gzip members are decoded one
/// after another, as `gunzip` does. `Int32`/`UInt32` narrowing for zlib happens only here.
enum Gzip {
  /// The two bytes every gzip member starts with.
  static let magic: [UInt8] = [0x1f, 0x8b]

  /// Whether `bytes` start with the gzip magic number.
  static func isCompressed(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == magic[0] && bytes[1] == magic[1]
  }

  /// The decompressed contents of `bytes`, or `bytes` unchanged when they are not gzip data.
  ///
  /// `path` only names the source in errors. Truncated input, a bad CRC, invalid deflate data
  /// and trailing bytes after the last member are errors that give the compressed byte offset.
  static func decompress(_ bytes: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
    guard isCompressed(bytes) else { return bytes }
    var stream = z_stream()
    let windowBits: Int32 = 15 + 32
    let startCode = inflateInit2_(
      &stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard startCode == Z_OK else {
      throw .corruptGzip(path: path, reason: "zlib could not start inflating (code \(startCode))")
    }
    defer { inflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: initialCapacity(for: bytes))
    var consumed = 0
    var produced = 0
    while true {
      if produced == output.count {
        output.append(contentsOf: repeatElement(0, count: output.count))
      }
      let step = inflateStep(
        &stream, input: bytes, consumed: consumed, output: &output, produced: produced)
      consumed += step.consumed
      produced += step.produced
      switch step.code {
      case Z_STREAM_END:
        if consumed == bytes.count {
          output.removeLast(output.count - produced)
          return output
        }
        guard bytes[consumed...].starts(with: magic) else {
          throw .corruptGzip(
            path: path,
            reason:
              "\(bytes.count - consumed) bytes of trailing data after the gzip stream ending at "
              + "byte \(consumed)")
        }
        inflateReset(&stream)
      case Z_OK, Z_BUF_ERROR:
        // Z_BUF_ERROR with room left in the output means the input ran out mid-stream.
        if consumed == bytes.count && (step.code == Z_BUF_ERROR || produced < output.count) {
          throw .corruptGzip(
            path: path,
            reason: "unexpected end of compressed data after \(bytes.count) bytes (truncated?)")
        }
      default:
        let detail = stream.msg.map { String(cString: $0) } ?? "zlib error code \(step.code)"
        throw .corruptGzip(path: path, reason: "\(detail) near compressed byte \(consumed)")
      }
    }
  }

  /// The gzip trailer's size field (the last member's size mod 2³²) as a first guess, bounded by
  /// deflate's maximum ratio so that a damaged trailer cannot ask for gigabytes.
  private static func initialCapacity(for bytes: [UInt8]) -> Int {
    let count = bytes.count
    var trailerSize = 0
    if count >= 4 {
      for index in 0..<4 { trailerSize |= Int(bytes[count - 4 + index]) << (8 * index) }
    }
    let maximumRatio = 1032
    return max(min(trailerSize, count * maximumRatio), 64 * 1024)
  }

  /// One call of `inflate` on the unconsumed input into the unused part of `output`.
  private static func inflateStep(
    _ stream: inout z_stream, input: [UInt8], consumed: Int, output: inout [UInt8], produced: Int
  ) -> (code: Int32, consumed: Int, produced: Int) {
    input.withUnsafeBufferPointer { inputBuffer in
      output.withUnsafeMutableBufferPointer { outputBuffer in
        let inputCount = narrow(inputBuffer.count - consumed)
        let outputCount = narrow(outputBuffer.count - produced)
        stream.next_in = UnsafeMutablePointer(
          mutating: inputBuffer.baseAddress.map { $0 + consumed })
        stream.avail_in = inputCount
        stream.next_out = outputBuffer.baseAddress.map { $0 + produced }
        stream.avail_out = outputCount
        let code = inflate(&stream, Z_NO_FLUSH)
        let usedInput = Int(inputCount - stream.avail_in)
        let madeOutput = Int(outputCount - stream.avail_out)
        stream.next_in = nil
        stream.next_out = nil
        return (code, usedInput, madeOutput)
      }
    }
  }

  /// zlib counts in `uInt`; larger buffers are handed over in several calls.
  private static func narrow(_ count: Int) -> UInt32 {
    UInt32(min(count, Int(UInt32.max)))
  }
}
