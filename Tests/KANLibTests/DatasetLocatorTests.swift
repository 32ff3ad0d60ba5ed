import Foundation
import Testing

@testable import KANLib

@Suite struct DatasetLocatorTests {
  @Test func defaultCandidatesAreWorkingDirectoryThenSystem() {
    #expect(
      DatasetLocator.candidateDirectories(
        for: .fashionMNIST, dataDirectory: nil, environment: [:], workingDirectory: "/work/run")
        == ["/work/run/data/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
    #expect(
      DatasetLocator.candidateDirectories(
        for: .mnist, dataDirectory: "in/../mine", environment: ["KAN_DATA_DIR": "/sets"],
        workingDirectory: "/w")
        == [
          "/w/mine", "/w/mine/mnist", "/sets/mnist", "/w/data/mnist", "/usr/share/datasets/mnist",
        ])
  }

  @Test func searchOrderIsOptionEnvironmentWorkingDirectorySystem() throws {
    let root = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let option = root + "/option"
    let environment = ["KAN_DATA_DIR": root + "/env"]
    let working = root + "/cwd"
    let system = root + "/system"
    func load() throws(DatasetError) -> ImageDataset {
      try DatasetLocator.load(
        .mnist, dataDirectory: "../option", checksums: nil, environment: environment,
        workingDirectory: working, systemDirectory: system)
    }
    // Each place gets a set whose labels start at a different seed, so the winner is visible.
    let places = [
      (option, 1), (option + "/mnist", 2), (root + "/env/mnist", 3), (working + "/data/mnist", 4),
      (system + "/mnist", 5),
    ]
    for (index, (directory, seed)) in places.enumerated() {
      try DatasetFixtures.write(
        DatasetFixtures.smallSet(seed: seed), to: directory, gzipped: index % 2 == 0)
    }
    for (directory, seed) in places {
      let dataset = try load()
      #expect(dataset.directory == directory)
      #expect(dataset.trainLabels.first == UInt8(seed))
      // Removing the four files (the folder may hold the next candidate) moves on to the next.
      for file in ImageDataset.File.allCases {
        for suffix in ["", ".gz"] {
          try? FileManager.default.removeItem(atPath: directory + "/" + file.rawValue + suffix)
        }
      }
    }
    #expect(throws: DatasetError.self) { try load() }
  }

  @Test func notFoundListsEveryPlaceAndHowToGetTheData() throws {
    let root = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var partial = DatasetFixtures.smallSet()
    partial[.testLabels] = nil
    try DatasetFixtures.write(partial, to: root + "/cwd/data/fashion-mnist", gzipped: true)
    try Data().write(to: URL(fileURLWithPath: root + "/plain-file"))
    do {
      _ = try DatasetLocator.load(
        .fashionMNIST, dataDirectory: root + "/plain-file", checksums: nil,
        environment: ["KAN_DATA_DIR": root + "/env"], workingDirectory: root + "/cwd",
        systemDirectory: root + "/system")
      Issue.record("nothing qualifies, loading must fail")
    } catch {
      let expected: [DatasetError.SearchedDirectory] = [
        .init(directory: root + "/plain-file", source: "--data-dir", problem: "not a directory"),
        .init(
          directory: root + "/plain-file/fashion-mnist", source: "--data-dir, parent folder",
          problem: "no such directory"),
        .init(
          directory: root + "/env/fashion-mnist", source: "KAN_DATA_DIR",
          problem: "no such directory"),
        .init(
          directory: root + "/cwd/data/fashion-mnist", source: "working directory",
          problem: "missing t10k-labels-idx1-ubyte[.gz]"),
        .init(
          directory: root + "/system/fashion-mnist", source: "system data sets, Debian package",
          problem: "no such directory"),
      ]
      #expect(error == .notFound(dataset: .fashionMNIST, searched: expected))
      let message = error.description
      for place in expected { #expect(message.contains("  \(place.directory) (")) }
      #expect(message.contains("sweep data fetch fashion_mnist"))
      #expect(message.contains("apt-get install dataset-fashion-mnist"))
      #expect(message.contains("--data-dir"))
      #expect(!DatasetError.notFound(dataset: .mnist, searched: []).description.contains("apt-get"))
    }
  }

  @Test func rawFilesArePreferredOverGzippedAndMixedFoldersLoad() throws {
    let directory = try DatasetFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try DatasetFixtures.write(DatasetFixtures.smallSet(seed: 1), to: directory, gzipped: true)
    try DatasetFixtures.write(DatasetFixtures.smallSet(seed: 2), to: directory, gzipped: false)
    try FileManager.default.removeItem(atPath: directory + "/t10k-images-idx3-ubyte")
    try FileManager.default.removeItem(atPath: directory + "/train-labels-idx1-ubyte.gz")
    let dataset = try DatasetLocator.load(
      .mnist, dataDirectory: directory, checksums: nil, environment: [:],
      workingDirectory: directory, systemDirectory: directory)
    #expect(dataset.trainLabels == [2, 3, 4])
    #expect(
      dataset.trainImages
        == DatasetFixtures.smallSet(seed: 2)[.trainImages].map { Array($0.dropFirst(16)) })
    #expect(
      dataset.testImages
        == DatasetFixtures.smallSet(seed: 1)[.testImages].map { Array($0.dropFirst(16)) })
  }
}
