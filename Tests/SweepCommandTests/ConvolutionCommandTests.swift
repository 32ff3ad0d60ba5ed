import Foundation
import KANLib
import Testing

@testable import SweepCommand

/// `sweep train --use-kan-convolution` and `sweep eval` of convolutional KAN checkpoints.
@Suite struct ConvolutionCommandTests {
  static let data = PasteAndWatchTests.dataDirectory.path

  @Test func useKANConvolutionTrainsConvkansModelAndEvalReadsIt() throws {
    try PasteAndWatchTests.requireData()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let trained = try CommandRunner.run(
      [
        "train", "--use_kan_convolution", "--dataset", "mnist", "--num-epochs", "1",
        "--batch-size", "64", "--conv-channels", "4,4", "--train-limit", "256", "--test-limit",
        "200", "--data-dir", Self.data, "--save-path", "c.safetensors", "--json",
      ], in: directory)
    #expect(trained.status == 0, "\(trained.standardError)")
    let lastLine = try #require(trained.standardOutput.split(separator: "\n").last)
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
    #expect(summary["model"] as? String == "conv_kan")
    let accuracy = try #require(summary["test_accuracy"] as? Double)
    // 1·4 + 4·4·9 + 4·10·9 weights per edge function (each G + k + 2 = 10), two norms of 4.
    #expect(summary["parameters"] as? Int == (36 + 144 + 360) * 10 + 16)

    // convkan's Sequential names and layouts, so `load_state_dict` takes the file.
    let file = try SafeTensors.read(path: directory.appendingPathComponent("c.safetensors").path)
    let shapes: [String: [Int]] = [
      "0.kan_layer.grid": [1, 9, 12], "0.kan_layer.base_weight": [1, 4, 9],
      "0.kan_layer.spline_weight": [1, 4, 9, 8], "0.kan_layer.spline_scaler": [1, 4, 9],
      "1.gamma": [1, 4, 1, 1], "1.beta": [1, 4, 1, 1], "2.kan_layer.base_weight": [1, 4, 36],
      "3.gamma": [1, 4, 1, 1], "4.kan_layer.spline_weight": [1, 10, 36, 8],
    ]
    for (name, shape) in shapes {
      #expect(try file.tensor(name).shape == shape, "\(name)")
    }
    #expect(file.tensors.count == 16)
    #expect(file.metadata["kan_sweep.model"] == "conv_kan")

    let evaluated = try CommandRunner.run(
      ["eval", "--checkpoint", "c.safetensors", "--data-dir", Self.data, "--json"],
      in: directory)
    #expect(evaluated.status == 0, "\(evaluated.standardError)")
    let result = try #require(
      try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8))
        as? [String: Any])
    // The checkpoint's own test split: the first 200 images, as in training.
    #expect(result["total"] as? Int == 200)
    #expect(abs((result["accuracy"] as? Double ?? -1) - accuracy) < 1e-6)

    // The same tensors without kan-sweep's metadata, as convkan's `state_dict` would be saved.
    let bare = SafeTensors(tensors: file.tensors, metadata: [:])
    try Data(bare.serialized()).write(to: directory.appendingPathComponent("bare.safetensors"))
    let limited = evaluated
    let fromBare = try CommandRunner.run(
      [
        "eval", "--checkpoint", "bare.safetensors", "--dataset", "mnist", "--data-dir", Self.data,
        "--json", "--test-limit", "200",
      ], in: directory)
    #expect(fromBare.status == 0, "\(fromBare.standardError)")
    #expect(limited.standardOutput == fromBare.standardOutput)
  }

  /// The flag brings convkan's recipe; options given explicitly win.
  @Test func theFlagSetsConvkansRecipe() throws {
    let recipe = try TrainCommand.parse(["--use-kan-convolution"]).trainingConfiguration()
    #expect(recipe.model == .convKAN && recipe.batchSize == 128)
    #expect(recipe.learningRate == 1e-2 && recipe.weightDecay == 1e-2)
    #expect(recipe.normalization == .standard)
    let mine = try TrainCommand.parse([
      "--use_kan_convolution", "--batch-size", "64", "--normalization", "unit",
    ]).trainingConfiguration()
    #expect(mine.batchSize == 64 && mine.normalization == .unit && mine.learningRate == 1e-2)
  }

  @Test func theFlagRefusesAnotherModelByName() throws {
    let outcome = try CommandRunner.run(["train", "--use-kan-convolution", "--model", "mlp"])
    #expect(outcome.status != 0)
    #expect(outcome.standardError.contains("--use-kan-convolution"))
    let strides = try CommandRunner.run(
      ["train", "--use-kan-convolution", "--conv-strides", "1,2"])
    #expect(strides.status != 0)
    #expect(strides.standardError.contains("--conv-strides"), "\(strides.standardError)")
  }

  /// A sweep crossing conv_kan with KAN and MLP trains each once per seed (conv_kan drops
  /// hidden_layers, the others the convolution parameters) and the report gives conv_kan rows
  /// of its own, with its parameter count, its s/epoch series and "—" where a model does not
  /// use a parameter.
  @Test func aSweepOfConvKANAndKANReportsBoth() throws {
    try PasteAndWatchTests.requireData()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let yaml = """
      name: conv-small
      seeds: [0]
      parameters:
        dataset: {value: mnist}
        model: {values: [conv_kan, kan, mlp]}
        hidden_layers: {values: [[4], [6]]}
        conv_channels: {value: [2, 3]}
        epochs: {value: 1}
        batch_size: {value: 32}
        train_limit: {value: 96}
        test_limit: {value: 32}
      """
    try yaml.write(
      to: directory.appendingPathComponent("conv.yaml"), atomically: true, encoding: .utf8)
    let run = try CommandRunner.run(
      ["run", "conv.yaml", "--db", "s.sqlite", "--workers", "2", "--data-dir", Self.data],
      in: directory)
    #expect(run.status == 0, "\(run.standardError)")
    let report = try CommandRunner.run(
      ["report", "--db", "s.sqlite", "--out", "report"], in: directory)
    #expect(report.status == 0, "\(report.standardError)")
    let csv = try String(
      contentsOf: directory.appendingPathComponent("report/trials.csv"), encoding: .utf8)
    let rows = csv.split(whereSeparator: \.isNewline).dropFirst()
    // One conv_kan, two KANs and two MLPs.
    #expect(rows.count == 5, "\(csv)")
    #expect(rows.filter { $0.contains("conv_kan") }.count == 1)
    let html = try String(
      contentsOf: directory.appendingPathComponent("report/index.html"), encoding: .utf8)
    #expect(html.contains("ConvKAN [2-3] k3×3 s1-2-2 G5"))
    // 1·2·9 + 2·3·9 + 3·10·9 edges of 10 weights each, two norms.
    #expect(
      html.contains(((18 + 54 + 270) * 10 + 10).formatted(.number.grouping(.never)))
        || html.contains(((18 + 54 + 270) * 10 + 10).formatted()))
    #expect(html.contains(">ConvKAN<"))
  }

  /// Same seed, same bytes; with two shards, the same bytes on one thread and on two; and the
  /// loss falls.
  @Test func sameSeedSameBytesAndShardsOnTwoThreads() throws {
    try PasteAndWatchTests.requireData()
    let directory = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func train(_ name: String, _ extra: [String]) throws -> [String: Any] {
      let outcome = try CommandRunner.run(
        [
          "train", "--use-kan-convolution", "--dataset", "mnist", "--num-epochs", "2",
          "--batch-size", "32", "--conv-channels", "2,3", "--train-limit", "100", "--test-limit",
          "40", "--seed", "3", "--data-dir", Self.data, "--save-path", name, "--json",
        ] + extra, in: directory)
      #expect(outcome.status == 0, "\(outcome.standardError)")
      let lastLine = try #require(outcome.standardOutput.split(separator: "\n").last)
      return try #require(
        try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
    }
    let first = try train("a.safetensors", [])
    let second = try train("b.safetensors", [])
    #expect(first["sha256"] as? String == second["sha256"] as? String)
    let one = try train("c.safetensors", ["--shards", "2", "--threads", "1"])
    let two = try train("d.safetensors", ["--shards", "2", "--threads", "2"])
    #expect(one["sha256"] as? String == two["sha256"] as? String)
    #expect(one["sha256"] as? String != first["sha256"] as? String)
  }
}
