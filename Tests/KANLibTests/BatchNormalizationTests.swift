import Foundation
import Testing

@testable import KANLib

/// Batches of image bytes are normalized eight pixels at a time; the values must be the
/// normalization table's, bit for bit, for every byte value and in the scalar tail.
@Suite struct BatchNormalizationTests {
  @Test(arguments: Normalization.allCases)
  func batchesHoldTheTableValues(_ normalization: Normalization) throws {
    // 64 images of 4 × 5 pixels (two groups of eight and a tail of four per row); pixel values
    // (index·7) mod 256 cover every byte value.
    let set = DatasetFixtures.smallSet(trainCount: 64, testCount: 2, rows: 4, columns: 5)
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try DatasetFixtures.write(set, to: directory, gzipped: false)
    let images = try DatasetLocator.load(.mnist, dataDirectory: directory, verify: false)
    let data = TrainingData(images: images, normalization: normalization)
    let indices = (0..<64).map(Int32.init).reversed().map { $0 }
    var inputs = [Float](repeating: .nan, count: 64 * 20)
    var labels = [Int32](repeating: -1, count: 64)
    var targets = [Float](repeating: 0, count: 64)
    indices.withUnsafeBufferPointer { rows in
      inputs.withUnsafeMutableBufferPointer { inputs in
        labels.withUnsafeMutableBufferPointer { labels in
          targets.withUnsafeMutableBufferPointer { targets in
            data.fill(
              .train, indices: rows, inputs: inputs.start("test"),
              labels: labels.start("test"),
              targets: targets.start("test"))
          }
        }
      }
    }
    let table = normalization.table
    let pixels = Array(try #require(set[.trainImages]).dropFirst(16))
    var seen = Set<UInt8>()
    for (row, index) in indices.enumerated() {
      for column in 0..<20 {
        let byte = pixels[Int(index) * 20 + column]
        seen.insert(byte)
        #expect(
          inputs[row * 20 + column].bitPattern == table[Int(byte)].bitPattern,
          "row \(row) column \(column) byte \(byte)")
      }
      #expect(labels[row] == Int32(index % 10))
    }
    #expect(seen.count == 256)
  }
}
