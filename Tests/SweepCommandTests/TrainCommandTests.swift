import Foundation
import Testing

@Suite struct TrainCommandTests {
  @Test func twoRunsWithTheSameSeedWriteIdenticalCheckpoints() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var summaries: [[String: Any]] = []
    for run in 0..<2 {
      let outcome = try CommandRunner.run(
        [
          "train", "--dataset", "toy_exp_sin", "--num-epochs", "3", "--hidden-dim", "4",
          "--batch_size", "50", "--seed", "11", "--save-path", "run\(run).safetensors", "--json",
        ], in: directory)
      #expect(outcome.status == 0, "\(outcome.standardError)")
      let lastLine = try #require(outcome.standardOutput.split(separator: "\n").last)
      let summary = try #require(
        try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
      summaries.append(summary)
    }
    let first = try #require(summaries.first?["sha256"] as? String)
    #expect(first.count == 64)
    #expect(summaries[1]["sha256"] as? String == first)
    #expect(summaries[0]["test_rmse"] as? Double != nil)
    #expect(summaries[0]["epochs"] as? Int == 3)
    for key in ["test_loss", "train_loss", "seconds", "seed", "checkpoint"] {
      #expect(summaries[0][key] != nil, "missing \(key)")
    }
    let bytes = try Data(contentsOf: directory.appendingPathComponent("run0.safetensors"))
    #expect(bytes == (try Data(contentsOf: directory.appendingPathComponent("run1.safetensors"))))
  }

  @Test func badOptionsNameTheOptionAndFail() throws {
    let unknown = try CommandRunner.run(["train", "--dataset", "cifar"])
    #expect(unknown.status != 0)
    #expect(
      unknown.standardError.contains("cifar") && unknown.standardError.contains("fashion_mnist"))
    let grid = try CommandRunner.run(["train", "--dataset", "toy_xy", "--grid-size", "0"])
    #expect(grid.status != 0)
    #expect(grid.standardError.contains("--grid-size"))
  }

  @Test func missingDataSaysWhereItLooked() throws {
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let outcome = try CommandRunner.run(
      ["train", "--dataset", "mnist", "--data-dir", directory.path], in: directory,
      environment: ["KAN_DATA_DIR": directory.path])
    #expect(outcome.status != 0)
    #expect(outcome.standardError.contains(directory.path))
    #expect(outcome.standardError.contains("sweep data fetch"))
  }

  @Test func evalReproducesTheEfficientKANCheckpoint() throws {
    let fixtures = CommandRunner.shared.appendingPathComponent("fixtures/efficient-kan")
    let checkpoint = fixtures.appendingPathComponent("efficient_kan_fashion_mnist.safetensors")
    guard FileManager.default.fileExists(atPath: checkpoint.path) else { return }
    let outcome = try CommandRunner.run([
      "eval", "--checkpoint", checkpoint.path, "--dataset", "fashion_mnist", "--data-dir",
      CommandRunner.shared.appendingPathComponent("data").path, "--json",
    ])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let result = try #require(
      try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    let correct = try #require(result["correct"] as? Int)
    #expect(abs(correct - 8548) <= 10)
    #expect(result["total"] as? Int == 10000)
  }
}
