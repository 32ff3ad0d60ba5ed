import Foundation
import Testing

@testable import KANLib

/// What the real files must contain (checked against Python's `gzip` module).
struct RealDataExpectation: Sendable, CustomTestStringConvertible {
  let name: ImageDatasetName
  let firstTrainLabels: [UInt8]
  let firstTestLabels: [UInt8]
  let firstTrainImageSum: Int
  let lastTestImageSum: Int
  let trainZeroCount: Int

  var testDescription: String { name.rawValue }
}

@Suite struct DatasetTests {
  static let realData = [
    RealDataExpectation(
      name: .mnist, firstTrainLabels: [5, 0, 4, 1, 9], firstTestLabels: [7, 2, 1, 0, 4],
      firstTrainImageSum: 27525, lastTestImageSum: 41833, trainZeroCount: 5923),
    RealDataExpectation(
      name: .fashionMNIST, firstTrainLabels: [9, 0, 0, 3, 0], firstTestLabels: [9, 2, 1, 1, 6],
      firstTrainImageSum: 76247, lastTestImageSum: 24390, trainZeroCount: 6000),
  ]

  @Test(arguments: realData)
  func loadsRealDataWithVerification(_ expected: RealDataExpectation) throws {
    let dataset = try DatasetLocator.load(
      expected.name, dataDirectory: DatasetFixtures.sharedData, verify: true, environment: [:])
    #expect(dataset.name == expected.name)
    #expect(dataset.directory == DatasetFixtures.sharedData + "/" + expected.name.folderName)
    #expect((dataset.trainCount, dataset.testCount) == (60000, 10000))
    #expect((dataset.rows, dataset.columns, dataset.classCount) == (28, 28, 10))
    #expect(dataset.trainImages.count == 60000 * 784)
    #expect(dataset.testImages.count == 10000 * 784)
    #expect(dataset.trainLabels.allSatisfy { $0 < 10 } && dataset.testLabels.allSatisfy { $0 < 10 })
    #expect(Array(dataset.trainLabels.prefix(5)) == expected.firstTrainLabels)
    #expect(Array(dataset.testLabels.prefix(5)) == expected.firstTestLabels)
    #expect(dataset.trainLabels.count { $0 == 0 } == expected.trainZeroCount)
    #expect(
      dataset.trainImages.prefix(784).reduce(0) { $0 + Int($1) } == expected.firstTrainImageSum)
    #expect(dataset.testImages.suffix(784).reduce(0) { $0 + Int($1) } == expected.lastTestImageSum)
  }

  // MARK: IDX and gzip errors

  @Test func badMagicNamesTheFile() throws {
    var set = DatasetFixtures.smallSet()
    set[.trainImages]?[1] = 0x01
    let (error, directory) = try loadingError(set)
    #expect(error.description.hasPrefix(directory + "/train-images-idx3-ubyte: not a valid IDX"))
    #expect(error.description.contains("bad magic number: starts with 0x00 0x01"))
  }

  @Test func wrongRankNamesTheFile() throws {
    var set = DatasetFixtures.smallSet()
    set[.trainLabels] = DatasetFixtures.idx(dimensions: [3, 1], payload: [1, 2, 3])
    let (error, directory) = try loadingError(set)
    #expect(
      error
        == .invalidIDX(
          path: directory + "/train-labels-idx1-ubyte",
          reason: "rank is 2, expected 1 for a label file (count)"))
  }

  @Test func truncatedPayloadGivesHeaderAndFileSizes() throws {
    var set = DatasetFixtures.smallSet()
    set[.testImages]?.removeLast(5)
    let (error, directory) = try loadingError(set, gzipped: true)
    #expect(
      error.description
        == directory + "/t10k-images-idx3-ubyte.gz: truncated: header says 2×2×3 = 12 bytes of "
        + "pixels, file has 7")
  }

  @Test func trailingBytesAreAnError() throws {
    var set = DatasetFixtures.smallSet()
    set[.trainLabels]? += [0, 0]
    let (error, directory) = try loadingError(set)
    #expect(
      error.description
        == directory + "/train-labels-idx1-ubyte: trailing bytes: header says 3 = 3 bytes of "
        + "labels, file has 5 (2 extra)")
  }

  @Test func labelAndImageCountsMustAgree() throws {
    var set = DatasetFixtures.smallSet()
    set[.testLabels] = DatasetFixtures.idx(dimensions: [3], payload: [1, 2, 3])
    let (error, directory) = try loadingError(set)
    #expect(
      error
        == .countMismatch(
          imagesPath: directory + "/t10k-images-idx3-ubyte", imageCount: 2,
          labelsPath: directory + "/t10k-labels-idx1-ubyte", labelCount: 3))
    #expect(error.description.contains("holds 2 images but"))
  }

  @Test func labelsOutOfRangeAndMismatchedImageSizesAreErrors() throws {
    var set = DatasetFixtures.smallSet()
    set[.trainLabels] = DatasetFixtures.idx(dimensions: [3], payload: [1, 10, 3])
    let (labelError, directory) = try loadingError(set)
    #expect(
      labelError
        == .invalidLabel(
          path: directory + "/train-labels-idx1-ubyte", index: 1, value: 10, classCount: 10))
    set = DatasetFixtures.smallSet()
    set[.testImages] = DatasetFixtures.idx(
      dimensions: [2, 3, 2], payload: Array(repeating: 0, count: 12))
    let (sizeError, _) = try loadingError(set)
    #expect(sizeError.description.contains("has 2×3 images but"))
    #expect(sizeError.description.contains("has 3×2 images"))
  }

  @Test func malformedHeadersAreRejected() {
    let cases: [([UInt8], String)] = [
      ([0, 0], "file has 2 bytes, too short for the 4-byte magic number"),
      ([0, 0, 0x0d, 1, 0, 0, 0, 1, 0], "element type 0x0d is not supported"),
      ([0, 0, 8, 1, 0, 0], "header truncated: rank 1 needs 8 bytes, file has 6"),
      (
        DatasetFixtures.idx(dimensions: [0], payload: []),
        "dimension 0 of a label file (count) is 0"
      ),
    ]
    for (bytes, reason) in cases {
      do {
        _ = try IDXFile(bytes: bytes, path: "labels.idx", expectedRank: 1)
        Issue.record("\(bytes) must be rejected: \(reason)")
      } catch {
        #expect(error.description.hasPrefix("labels.idx: not a valid IDX file: "))
        #expect(error.description.contains(reason), "\(error.description)")
      }
    }
  }

  @Test func corruptGzipNamesTheFileAndTheProblem() throws {
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let set = DatasetFixtures.smallSet()
    try DatasetFixtures.write(set, to: directory, gzipped: true)
    let path = directory + "/train-images-idx3-ubyte.gz"
    let good = try DatasetFixtures.contents(path)
    var flipped = good
    flipped[20] ^= 0xff
    for (bytes, reason) in [
      (flipped, "incorrect data check"), (Array(good.dropLast(6)), "unexpected end"),
      (good + [1, 2, 3], "3 bytes of trailing data"),
    ] {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let error = try #require(loadError(directory: directory))
      #expect(error.description.hasPrefix(path + ": corrupt gzip data: "))
      #expect(error.description.contains(reason), "\(error.description)")
    }
  }

  @Test func gzipHandlesConcatenatedMembersAndRawInput() throws {
    let large = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let small: [UInt8] = [1, 2, 3]
    let joined = DatasetFixtures.gzip(large) + DatasetFixtures.gzip(small)
    #expect(try Gzip.decompress(joined, path: "x.gz") == large + small)
    #expect(try Gzip.decompress(small, path: "x.gz") == small)
    #expect(try Gzip.decompress([], path: "x.gz") == [])
  }

  // MARK: Checksums

  @Test func checksumMismatchIsAnErrorUnlessVerificationIsOff() throws {
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let set = DatasetFixtures.smallSet()
    try DatasetFixtures.write(set, to: directory, gzipped: true)
    var table = DatasetFixtures.checksums(set)
    table[.testLabels] = String(repeating: "0", count: 64)
    let error = try #require(loadError(directory: directory, checksums: table))
    let path = directory + "/t10k-labels-idx1-ubyte.gz"
    let actual = IDXFile.sha256(try #require(set[.testLabels]))
    #expect(
      error
        == .checksumMismatch(
          path: path, expected: String(repeating: "0", count: 64), actual: actual))
    #expect(error.description.contains(path) && error.description.contains("--no-verify"))
    #expect(loadError(directory: directory, checksums: DatasetFixtures.checksums(set)) == nil)

    // The public entry point verifies against the published table.
    #expect(throws: DatasetError.self) {
      try DatasetLocator.load(
        .mnist, dataDirectory: directory, verify: true, environment: [:],
        workingDirectory: directory)
    }
    let loaded = try DatasetLocator.load(
      .mnist, dataDirectory: directory, verify: false, environment: [:], workingDirectory: directory
    )
    #expect((loaded.trainCount, loaded.testCount, loaded.rows, loaded.columns) == (3, 2, 2, 3))
    #expect(loaded.trainLabels == [0, 1, 2])
    #expect(loaded.testImages == (0..<12).map { UInt8($0 * 7) })
  }

  // MARK: Helpers

  /// Writes `set` into a new folder and returns the error loading it gives, and the folder.
  private func loadingError(
    _ set: [ImageDataset.File: [UInt8]], gzipped: Bool = false
  ) throws -> (DatasetError, String) {
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try DatasetFixtures.write(set, to: directory, gzipped: gzipped)
    return (try #require(loadError(directory: directory)), directory)
  }

  /// The error loading MNIST from `directory` alone gives, or nil when it loads.
  private func loadError(
    directory: String, checksums: [ImageDataset.File: String]? = nil
  ) -> DatasetError? {
    do {
      _ = try DatasetLocator.load(
        .mnist, dataDirectory: directory, checksums: checksums, environment: [:],
        workingDirectory: directory, systemDirectory: directory + "/no-system")
      return nil
    } catch {
      return error
    }
  }
}
