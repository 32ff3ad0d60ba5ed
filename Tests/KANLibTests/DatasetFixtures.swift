import Foundation

@testable import KANLib

/// Small IDX data sets built in memory, written to temporary folders.
enum DatasetFixtures {
  /// `../shared/data` next to the package: a parent holding `mnist/` and `fashion-mnist/`.
  static var sharedData: String {
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return package.deletingLastPathComponent().appendingPathComponent("shared/data").path
  }

  /// The bytes of an unsigned-byte IDX file: magic, big-endian dimensions, payload.
  static func idx(dimensions: [Int], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
    for dimension in dimensions {
      bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: dimension >> $0) }
    }
    return bytes + payload
  }

  /// The four raw files of a valid set: `trainCount` and `testCount` images of `rows × columns`
  /// with pixel value `(index * 7 + seed) % 256` and labels `(index + seed) % 10`.
  static func smallSet(
    trainCount: Int = 3, testCount: Int = 2, rows: Int = 2, columns: Int = 3, seed: Int = 0
  ) -> [ImageDataset.File: [UInt8]] {
    func pixels(_ count: Int) -> [UInt8] {
      (0..<count * rows * columns).map { UInt8(($0 * 7 + seed) % 256) }
    }
    func labels(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(($0 + seed) % 10) } }
    return [
      .trainImages: idx(dimensions: [trainCount, rows, columns], payload: pixels(trainCount)),
      .trainLabels: idx(dimensions: [trainCount], payload: labels(trainCount)),
      .testImages: idx(dimensions: [testCount, rows, columns], payload: pixels(testCount)),
      .testLabels: idx(dimensions: [testCount], payload: labels(testCount)),
    ]
  }

  /// The SHA-256 of each file of `set`.
  static func checksums(_ set: [ImageDataset.File: [UInt8]]) -> [ImageDataset.File: String] {
    set.mapValues { IDXFile.sha256($0) }
  }

  /// Writes `set` into `directory` (created), gzipped as `<name>.gz` or raw as `<name>`.
  static func write(
    _ set: [ImageDataset.File: [UInt8]], to directory: String, gzipped: Bool
  ) throws {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true)
    for (file, bytes) in set {
      let path = directory + "/" + file.rawValue + (gzipped ? ".gz" : "")
      try Data(gzipped ? gzip(bytes) : bytes).write(to: URL(fileURLWithPath: path))
    }
  }

  /// The bytes of the file at `path`.
  static func contents(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// A new empty folder under the system temporary directory; remove it when done.
  static func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("kan-dataset-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  /// A gzip member holding `bytes` in stored (uncompressed) deflate blocks: independent of zlib,
  /// so the tests do not check the decompressor against itself.
  ///
  /// Concretely (RFC 1952, RFC 1951 §3.2.4):
  /// ```
  /// 1f 8b 08 00 | mtime 0 | 00 ff   then per block: [final bit][LEN][~LEN][≤ 65535 bytes]
  /// trailer: CRC-32 (little-endian) | size mod 2³² (little-endian)
  /// ```
  static func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]
    var start = 0
    repeat {
      let end = min(start + 65535, bytes.count)
      let length = UInt16(end - start)
      output.append(end == bytes.count ? 1 : 0)
      output += littleEndian(UInt32(length) | UInt32(~length) << 16)
      output += bytes[start..<end]
      start = end
    } while start < bytes.count
    return output + littleEndian(crc32(bytes))
      + littleEndian(UInt32(truncatingIfNeeded: bytes.count))
  }

  /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as gzip's trailer uses.
  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
    }
    return ~crc
  }

  private static func littleEndian(_ value: UInt32) -> [UInt8] {
    [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) }
  }
}
