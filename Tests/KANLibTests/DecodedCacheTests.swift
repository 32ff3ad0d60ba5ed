import Foundation
import Testing

@testable import KANLib

/// The decoded-data cache: a verified gzipped file is inflated once; later reads use the cached
/// bytes only while they still hash to the published SHA-256.
@Suite struct DecodedCacheTests {
  @Test func aVerifiedFileIsInflatedOnceAndCheckedOnEveryHit() throws {
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let cache = directory + "/cache"
    let set = DatasetFixtures.smallSet(trainCount: 5)
    let bytes = try #require(set[.trainImages])
    let sha = IDXFile.sha256(bytes)
    let path = directory + "/train-images-idx3-ubyte.gz"
    try Data(DatasetFixtures.gzip(bytes)).write(to: URL(fileURLWithPath: path))

    let first = try IDXFile.read(
      path: path, expectedRank: 3, expectedSHA256: sha, cacheFolder: cache)
    #expect(try DatasetFixtures.contents(cache + "/\(sha).idx") == bytes)
    // The source now fails to inflate: a hit never reads it.
    try Data([0x1f, 0x8b, 0, 0]).write(to: URL(fileURLWithPath: path))
    let second = try IDXFile.read(
      path: path, expectedRank: 3, expectedSHA256: sha, cacheFolder: cache)
    #expect(second.payload == first.payload && second.dimensions == first.dimensions)
    // A damaged cache file is not used: the (broken) source is read and its error reported.
    var damaged = bytes
    damaged[damaged.count - 1] ^= 0xff
    try Data(damaged).write(to: URL(fileURLWithPath: cache + "/\(sha).idx"))
    #expect(throws: DatasetError.self) {
      try IDXFile.read(path: path, expectedRank: 3, expectedSHA256: sha, cacheFolder: cache)
    }
    // Unverified reads and raw files bypass the cache.
    #expect(DecodedCache.folder(environment: ["KAN_CACHE_DIR": "off", "HOME": "/h"]) == nil)
    #expect(DecodedCache.folder(environment: ["HOME": "/h"]) == "/h/.cache/kan-sweep")
    #expect(
      DecodedCache.folder(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/kan-sweep")
  }

  /// A real data set through the locator: the second load is served from the cache and gives
  /// the same arrays.
  @Test func fashionMNISTLoadsTheSameFromTheCache() throws {
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let environment = ["KAN_CACHE_DIR": directory, "HOME": directory]
    func load() throws -> ImageDataset {
      try DatasetLocator.load(
        .fashionMNIST, dataDirectory: DatasetFixtures.sharedData,
        checksums: ImageDatasetName.fashionMNIST.publishedChecksums,
        environment: environment, workingDirectory: directory,
        systemDirectory: directory + "/none", cacheFolder: directory)
    }
    let first = try load()
    let cached = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.hasSuffix(".idx") }
    #expect(cached.count == 4)
    let second = try load()
    #expect(second.trainImages == first.trainImages && second.testLabels == first.testLabels)
  }
}
