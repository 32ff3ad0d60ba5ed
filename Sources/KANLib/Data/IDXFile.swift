import Crypto
import Foundation

/// One IDX file of unsigned bytes, the format of the MNIST and Fashion-MNIST distributions.
///
/// Concretely (http://yann.lecun.com/exdb/mnist/):
/// ```
/// [0x00 0x00][type 0x08 = unsigned byte][rank r][r × big-endian UInt32 dimension][payload]
/// payload length = dimension₀ × … × dimensionᵣ₋₁ bytes, row-major, nothing after it
/// ```
/// Images have rank 3 (count × rows × columns), labels rank 1 (count). Other element types are
/// rejected; so are zero dimensions and payloads shorter or longer than the header says.
struct IDXFile: Sendable {
  /// The element type byte of unsigned-byte IDX files.
  static let unsignedByteType: UInt8 = 0x08

  /// The file the data came from (for messages).
  let path: String
  /// The dimensions from the header; `dimensions[0]` is the item count.
  let dimensions: [Int]
  /// The payload, `dimensions.reduce(1, *)` bytes.
  let payload: [UInt8]

  /// The number of items (images or labels).
  var itemCount: Int { dimensions[0] }

  /// Parses the decompressed bytes of an IDX file whose rank must be `expectedRank`.
  init(bytes: consuming [UInt8], path: String, expectedRank: Int) throws(DatasetError) {
    let kind = expectedRank == 1 ? "a label file (count)" : "an image file (count×rows×columns)"
    guard bytes.count >= 4 else {
      throw .invalidIDX(
        path: path, reason: "file has \(bytes.count) bytes, too short for the 4-byte magic number")
    }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw .invalidIDX(
        path: path,
        reason:
          "bad magic number: starts with \(Self.hex(bytes[0])) \(Self.hex(bytes[1])), expected "
          + "0x00 0x00 (not an IDX file, or still compressed?)")
    }
    guard bytes[2] == Self.unsignedByteType else {
      throw .invalidIDX(
        path: path,
        reason: "element type \(Self.hex(bytes[2])) is not supported (only 0x08, unsigned byte)")
    }
    let rank = Int(bytes[3])
    guard rank == expectedRank else {
      throw .invalidIDX(
        path: path, reason: "rank is \(rank), expected \(expectedRank) for \(kind)")
    }
    let headerLength = 4 + 4 * rank
    guard bytes.count >= headerLength else {
      throw .invalidIDX(
        path: path,
        reason:
          "header truncated: rank \(rank) needs \(headerLength) bytes, file has \(bytes.count)")
    }
    var dimensions = [Int]()
    var product = 1
    for axis in 0..<rank {
      var value = 0
      for offset in 0..<4 { value = value << 8 | Int(bytes[4 + 4 * axis + offset]) }
      guard value > 0 else {
        throw .invalidIDX(path: path, reason: "dimension \(axis) of \(kind) is 0")
      }
      let (next, overflow) = product.multipliedReportingOverflow(by: value)
      guard !overflow else {
        throw .invalidIDX(path: path, reason: "dimensions \(dimensions + [value]) are too large")
      }
      dimensions.append(value)
      product = next
    }
    let payloadLength = bytes.count - headerLength
    guard payloadLength == product else {
      throw .payloadLength(
        path: path, dimensions: dimensions, expected: product, actual: payloadLength)
    }
    self.path = path
    self.dimensions = dimensions
    // Drop the header in place: a copy would double the peak memory of loading the images.
    var payload = consume bytes
    payload.removeFirst(headerLength)
    self.payload = payload
  }

  /// Reads `path` (inflating it when the name ends in `.gz`), checks its SHA-256 against
  /// `expectedSHA256` when one is given, and parses it. A verified gzipped file is served from,
  /// or added to, the ``DecodedCache`` in `cacheFolder`.
  static func read(
    path: String, expectedRank: Int, expectedSHA256: String?, cacheFolder: String? = nil
  ) throws(DatasetError) -> IDXFile {
    let cacheable = expectedSHA256 != nil && path.hasSuffix(".gz")
    if cacheable, let expectedSHA256,
      let cached = DecodedCache.bytes(sha256: expectedSHA256, folder: cacheFolder)
    {
      return try IDXFile(bytes: cached, path: path, expectedRank: expectedRank)
    }
    let bytes = try decompressedContents(of: path)
    if let expectedSHA256 {
      let actual = sha256(bytes)
      guard actual == expectedSHA256 else {
        throw .checksumMismatch(path: path, expected: expectedSHA256, actual: actual)
      }
      if cacheable { DecodedCache.store(bytes, sha256: actual, folder: cacheFolder) }
    }
    return try IDXFile(bytes: consume bytes, path: path, expectedRank: expectedRank)
  }

  /// The contents of `path`, inflated when the name ends in `.gz` and the data is gzip.
  static func decompressedContents(of path: String) throws(DatasetError) -> [UInt8] {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .io(path: path, reason: "cannot read the file (\(error.localizedDescription))")
    }
    let bytes = [UInt8](data)
    return path.hasSuffix(".gz") ? try Gzip.decompress(bytes, path: path) : bytes
  }

  /// The lowercase hexadecimal SHA-256 of `bytes`.
  static func sha256(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(64)
    for byte in SHA256.hash(data: bytes) {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  private static func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return "0x" + (digits.count == 1 ? "0" : "") + digits
  }
}
