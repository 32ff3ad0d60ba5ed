import Foundation
import Testing

@testable import KANLib

@Suite struct DatasetFetcherTests {
  @Test func downloadsVerifiesSkipsAndNeverReplacesAGoodFile() throws {
    let root = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let served = root + "/served"
    let target = root + "/target"
    let set = DatasetFixtures.smallSet()
    let table = DatasetFixtures.checksums(set)
    try DatasetFixtures.write(set, to: served, gzipped: true)
    let server = try DatasetLoopbackServer(directory: served)
    defer { server.stop() }
    let mirror = String(server.baseURL.dropLast())  // the fetcher adds the slash
    var messages = [String]()
    func fetch(_ checksums: [ImageDataset.File: String]) throws(DatasetError) {
      messages = []
      let folder = try DatasetFetcher.fetch(
        .mnist, mirror: mirror, into: target, checksums: checksums, timeout: 10
      ) { messages.append($0) }
      #expect(folder == target)
    }

    try fetch(table)
    #expect(messages.filter { $0.contains(": downloading \(server.baseURL)") }.count == 4)
    for file in ImageDataset.File.allCases {
      let name = "/" + file.rawValue + ".gz"
      #expect(
        try DatasetFixtures.contents(target + name) == DatasetFixtures.contents(served + name))
    }
    let loaded = try DatasetLocator.load(
      .mnist, dataDirectory: target, checksums: table, environment: [:], workingDirectory: root,
      systemDirectory: root)
    #expect(loaded.trainLabels == [0, 1, 2])

    try fetch(table)
    #expect(messages.filter { $0.contains("skipped") }.count == 4)
    #expect(!messages.contains { $0.contains(".gz: downloading http") })

    // A new release is announced (another checksum), so the local copy counts as out of date,
    // but the mirror serves damaged bytes: the error names the URL and the good file stays.
    let imagesPath = target + "/train-images-idx3-ubyte.gz"
    let good = try DatasetFixtures.contents(imagesPath)
    let url = server.baseURL + "train-images-idx3-ubyte.gz"
    let release = DatasetFixtures.idx(
      dimensions: [3, 2, 3], payload: Array(repeating: 9, count: 18))
    var newTable = table
    newTable[.trainImages] = IDXFile.sha256(release)
    var damaged = DatasetFixtures.gzip(release)
    damaged[20] ^= 0xff
    try Data(damaged).write(to: URL(fileURLWithPath: served + "/train-images-idx3-ubyte.gz"))
    let corrupt = try #require(fetchError { try fetch(newTable) })
    #expect(corrupt.description.hasPrefix(url + ": corrupt gzip data: incorrect data check"))
    #expect(try DatasetFixtures.contents(imagesPath) == good)

    // Intact gzip of the wrong contents: a checksum error, nothing replaced, no leftovers.
    try Data(DatasetFixtures.gzip(good)).write(
      to: URL(fileURLWithPath: served + "/train-images-idx3-ubyte.gz"))
    let mismatch = try #require(fetchError { try fetch(newTable) })
    #expect(
      mismatch
        == .downloadChecksumMismatch(
          url: url, expected: IDXFile.sha256(release), actual: IDXFile.sha256(good)))
    #expect(try DatasetFixtures.contents(imagesPath) == good)
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).count == 4)

    // The right release downloads over the old file.
    try Data(DatasetFixtures.gzip(release)).write(
      to: URL(fileURLWithPath: served + "/train-images-idx3-ubyte.gz"))
    try fetch(newTable)
    #expect(messages.filter { $0.contains(".gz: downloading http") }.count == 1)
    #expect(try Gzip.decompress(DatasetFixtures.contents(imagesPath), path: imagesPath) == release)

    // A missing file gives the URL and the HTTP status.
    try FileManager.default.removeItem(atPath: served + "/t10k-labels-idx1-ubyte.gz")
    try FileManager.default.removeItem(atPath: target + "/t10k-labels-idx1-ubyte.gz")
    let missing = try #require(fetchError { try fetch(newTable) })
    #expect(
      missing.description.hasPrefix(
        server.baseURL + "t10k-labels-idx1-ubyte.gz: download failed: HTTP 404"))
  }

  @Test func damagedLocalFilesAreReplacedOrRemoved() throws {
    let root = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let set = DatasetFixtures.smallSet()
    try DatasetFixtures.write(set, to: root + "/served", gzipped: true)
    let target = root + "/target"
    try DatasetFixtures.write(set, to: target, gzipped: true)
    // A truncated .gz and a damaged raw file that the locator would read before the .gz.
    let labels = target + "/train-labels-idx1-ubyte.gz"
    try Data(DatasetFixtures.contents(labels).dropLast(4)).write(to: URL(fileURLWithPath: labels))
    try Data([0, 0, 8, 1]).write(to: URL(fileURLWithPath: target + "/t10k-images-idx3-ubyte"))
    let server = try DatasetLoopbackServer(directory: root + "/served")
    defer { server.stop() }
    var messages = [String]()
    _ = try DatasetFetcher.fetch(
      .mnist, mirror: server.baseURL, into: target, checksums: DatasetFixtures.checksums(set),
      timeout: 10
    ) { messages.append($0) }
    #expect(messages.filter { $0.contains(".gz: downloading http") }.count == 2)
    #expect(
      messages.contains { $0.contains("removed the damaged \(target)/t10k-images-idx3-ubyte") })
    #expect(!FileManager.default.fileExists(atPath: target + "/t10k-images-idx3-ubyte"))
    let loaded = try DatasetLocator.load(
      .mnist, dataDirectory: target, checksums: DatasetFixtures.checksums(set), environment: [:],
      workingDirectory: root, systemDirectory: root)
    #expect(loaded.testCount == 2)
  }

  @Test func mirrorsMustBeHTTPURLs() {
    for mirror in ["ftp://example.invalid/", "not a url", "http://"] {
      #expect(
        fetchError {
          _ = try DatasetFetcher.fetch(
            .mnist, mirror: mirror, into: "/nonexistent/never-created", checksums: [:], timeout: 1
          ) { _ in }
        } == .invalidMirror(url: mirror))
    }
  }

  /// The error `body` throws, or nil.
  private func fetchError(_ body: () throws -> Void) -> DatasetError? {
    do {
      try body()
      return nil
    } catch let error as DatasetError {
      return error
    } catch {
      Issue.record("expected a DatasetError, got \(error)")
      return nil
    }
  }
}
