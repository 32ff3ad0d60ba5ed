import Foundation
import KANLib
import Testing

/// A KAN trained by efficient-kan (PyTorch) loads and predicts as it did there.
@Suite struct EfficientKANCheckpointTests {
  static var sharedData: String {
    URL(fileURLWithPath: Fixtures.directory).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("data").path
  }

  @Test func reproducesEfficientKANPredictionsOnFashionMNIST() throws {
    let checkpoint = Fixtures.directory + "/efficient_kan_fashion_mnist.safetensors"
    let expectedPath = Fixtures.directory + "/efficient_kan_fashion_mnist.expected.safetensors"
    try #require(
      FileManager.default.fileExists(atPath: checkpoint)
        && FileManager.default.fileExists(atPath: expectedPath),
      "efficient-kan's checkpoint fixture is missing from \(Fixtures.directory)")
    let loaded = try Checkpoint.load(path: checkpoint)
    #expect(loaded.network.widths == [784, 64, 10])
    let expected = try SafeTensors.read(path: expectedPath)
    let images = try DatasetLocator.load(
      .fashionMNIST, dataDirectory: Self.sharedData, verify: true)
    let data = TrainingData(images: images, normalization: .symmetric)
    let result = Evaluation(network: loaded.network, data: data).run()
    let predictions = try expected.tensor("test_predictions").integers
    let identical = zip(result.predictions, predictions).filter { Int64($0) == $1 }.count
    print(
      "efficient-kan checkpoint: \(identical)/10000 identical predictions, accuracy \(result.accuracy)"
    )
    #expect(predictions.count == 10000 && result.predictions.count == 10000)
    #expect(identical == 10000)
    let logits = try expected.tensor("test_logits_first_256").floats
    let comparison = Comparison(
      "test_logits_first_256", actual: Array(result.firstOutputs.prefix(logits.count)),
      expected: logits, tolerance: 1e-5)
    print("efficient-kan checkpoint: \(comparison)")
    #expect(comparison.passes)
    let correct = try #require(Int(expected.metadata["correct"] ?? ""))
    #expect(result.correct == correct)
  }
}
