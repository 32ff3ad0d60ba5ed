import ArgumentParser
import Foundation
import KANLib

/// `sweep eval`: test accuracy (or RMSE) of a checkpoint.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint (kan-sweep's or efficient-kan's) on a test set.")

  @Option(help: "The safetensors checkpoint.")
  var checkpoint: String
  @Option(
    help: "mnist, fashion_mnist, or a synthetic task (default: the dataset the checkpoint records)."
  )
  var dataset: String?
  @Flag(
    name: .customLong("allow-other-dataset"),
    help: "Evaluate on --dataset even when the checkpoint was trained on another one.")
  var allowOtherDataset = false
  @Option(
    help:
      "symmetric, unit or standard (default: the checkpoint's; else standard for a convkan checkpoint, symmetric otherwise)."
  )
  var normalization: String?
  @Option(
    name: [.customLong("test-limit"), .customLong("test_limit")], parsing: .unconditional,
    help: "Evaluate the first N test samples (default: the checkpoint's test_limit, else all).")
  var testLimit: Int?
  @Option(
    parsing: .unconditional, help: "Seed of a synthetic task's data (default: the checkpoint's).")
  var seed: UInt64?
  @Option(parsing: .unconditional, help: "OpenBLAS threads.")
  var threads = 1
  @OptionGroup var data: DataOptions
  @Flag(help: "Print {\"accuracy\": …, \"correct\": …, \"total\": …} (or rmse) as JSON.")
  var json = false

  func validate() throws {
    try check("--threads", threads, in: 1...512)
    if let testLimit { try check("--test-limit", testLimit, in: 1...1_000_000_000) }
  }

  func run() throws {
    BLAS.threads = threads
    let loaded: Checkpoint.Loaded
    do {
      loaded = try Checkpoint.load(path: checkpoint)
    } catch {
      throw CommandFailure(error.description)
    }
    let recorded = loaded.configuration?.dataset
    guard let dataset = dataset ?? recorded?.rawValue else {
      throw ValidationError(
        "\(checkpoint) does not record its dataset (not written by kan-sweep); give --dataset")
    }
    guard let datasetName = DatasetName(rawValue: dataset) else {
      throw ValidationError(
        "unknown --dataset '\(dataset)'; choose one of "
          + DatasetName.allCases.map(\.rawValue).joined(separator: ", "))
    }
    if let recorded, recorded != datasetName, !allowOtherDataset {
      throw CommandFailure(
        "\(checkpoint) was trained on \(recorded.rawValue), not \(dataset); evaluating it there "
          + "measures nothing useful. Drop --dataset, or add --allow-other-dataset to do it anyway")
    }
    let network = loaded.network
    var configuration = loaded.configuration ?? TrainingConfiguration()
    if loaded.configuration == nil && network is ConvKAN {
      // A convkan `state_dict`: its example trains on MNIST-normalized pixels.
      configuration.model = .convKAN
      configuration.normalization = .standard
    }
    configuration.dataset = datasetName
    configuration.trainLimit = datasetName.isClassification ? nil : 1
    if let normalization {
      guard let value = Normalization(rawValue: normalization) else {
        throw ValidationError(
          "unknown --normalization '\(normalization)'; choose "
            + Normalization.allCases.map(\.rawValue).joined(separator: ", "))
      }
      configuration.normalization = value
    }
    if let seed { configuration.seed = seed }
    if let testLimit { configuration.testLimit = testLimit }
    let testData: TrainingData
    do {
      testData = try TrainingData.load(
        for: configuration, dataDirectory: data.dataDirectory, verify: !data.noVerify)
    } catch {
      throw CommandFailure(error.description)
    }
    guard network.inputWidth == testData.inputWidth, network.outputWidth == testData.outputWidth
    else {
      throw CommandFailure(
        "\(checkpoint): the network maps \(network.inputWidth) → \(network.outputWidth) values, "
          + "but \(dataset) has \(testData.inputWidth) inputs and \(testData.outputWidth) outputs")
    }
    let evaluation = Evaluation(network: network, data: testData)
    let result = evaluation.run()
    if datasetName.isClassification {
      if json {
        print(
          "{\"accuracy\": \(result.accuracy), \"correct\": \(result.correct), \"total\": \(result.total)}"
        )
      } else {
        print(
          String(format: "accuracy %.4f", result.accuracy)
            + " (\(result.correct)/\(result.total)) on \(dataset) test, checkpoint \(checkpoint)")
      }
    } else {
      if json {
        print("{\"rmse\": \(result.rmse), \"total\": \(result.total)}")
      } else {
        print(String(format: "rmse %.6f", result.rmse) + " over \(result.total) test samples")
      }
    }
  }
}
