import ArgumentParser
import Foundation
import KANLib

/// `sweep train`: one training run with the seed program's options, plus kan-sweep's own.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train one KAN (or MLP) and save it as safetensors.",
    discussion: """
      Layer widths are [in-features·out-features] + [hidden-dim]·(num-layers − 1) + [num-classes], \
      as in the original MLX example, unless --hidden-layers is given; synthetic tasks take \
      their input and output widths from the dataset. The same seed and thread count give a \
      byte-identical checkpoint.
      """)

  @Option(help: "mnist, fashion_mnist, toy_exp_sin, toy_xy or toy_exp_4d.")
  var dataset: String = "mnist"
  @Option(
    name: [.customLong("num-layers"), .customLong("num_layers")], help: "Number of KAN layers.")
  var numLayers = 2
  @Option(
    name: [.customLong("hidden-dim"), .customLong("hidden_dim")],
    help: "Width of each hidden layer.")
  var hiddenDim = 64
  @Option(name: [.customLong("num-classes"), .customLong("num_classes")], help: "Output classes.")
  var numClasses = 10
  @Option(name: [.customLong("in-features"), .customLong("in_features")], help: "Image height.")
  var inFeatures = 28
  @Option(name: [.customLong("out-features"), .customLong("out_features")], help: "Image width.")
  var outFeatures = 28
  @Option(name: [.customLong("num-epochs"), .customLong("num_epochs")], help: "Training epochs.")
  var numEpochs = 10
  @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Samples per step.")
  var batchSize = 64
  @Option(
    name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "AdamW learning rate."
  )
  var learningRate: Float = 1e-3
  @Option(
    name: [.customLong("weight-decay"), .customLong("weight_decay")], help: "AdamW weight decay.")
  var weightDecay: Float = 1e-4
  @Option(
    name: [.customLong("eval-report-count"), .customLong("eval_report_count")],
    help: "Progress lines per epoch when the output is not a terminal.")
  var evalReportCount = 10
  @Option(name: [.customLong("save-path"), .customLong("save_path")], help: "Checkpoint to write.")
  var savePath = "trained_kan_model.safetensors"
  @Option(help: "Seed of every random draw.")
  var seed: UInt64 = 0
  @Flag(help: "Accepted for compatibility: kan-sweep always runs on the CPU.")
  var cpu = false
  @Flag(
    name: [.customLong("use-kan-convolution"), .customLong("use_kan_convolution")],
    help: "Not available yet (fails with exit status 2).")
  var useKANConvolution = false

  @Option(name: .customLong("grid-size"), help: "KAN grid intervals G.")
  var gridSize = 5
  @Option(name: .customLong("spline-order"), help: "KAN spline degree k.")
  var splineOrder = 3
  @Option(name: .customLong("grid-range"), help: "Initial grid range as LOWER,UPPER.")
  var gridRange = "-1,1"
  @Option(name: .customLong("grid-eps"), help: "KAN uniform-grid weight in grid updates.")
  var gridEps: Float = 0.02
  @Option(name: .customLong("scale-noise"), help: "KAN spline initialization noise.")
  var scaleNoise: Float = 0.1
  @Option(name: .customLong("scale-base"), help: "KAN base-branch initialization scale.")
  var scaleBase: Float = 1
  @Option(name: .customLong("scale-spline"), help: "KAN spline-branch initialization scale.")
  var scaleSpline: Float = 1
  @Option(help: "kan or mlp.")
  var model = "kan"
  @Option(
    name: .customLong("hidden-layers"),
    help: "Hidden widths, e.g. 64,32 (overrides --num-layers/--hidden-dim).")
  var hiddenLayers: String?
  @Option(help: "OpenBLAS threads (the result's bits depend on it).")
  var threads = 1
  @Option(help: "symmetric (pixels/255·2−1) or unit (pixels/255).")
  var normalization = "symmetric"
  @Option(name: .customLong("base-activation"), help: "silu, identity, zero, relu or tanh.")
  var baseActivation = "silu"
  @Option(name: .customLong("lr-schedule"), help: "constant, exponential or cosine.")
  var lrSchedule = "constant"
  @Option(name: .customLong("lr-gamma"), help: "γ of the exponential schedule.")
  var lrGamma: Float = 0.9
  @Option(
    name: .customLong("update-grid-every"), help: "Adapt KAN grids every N batches (0 = never).")
  var updateGridEvery = 0
  @Option(name: .customLong("update-grid-epochs"), help: "…during the first M epochs.")
  var updateGridEpochs = 1
  @Option(name: .customLong("regularize-activation"), help: "L1 regularization weight.")
  var regularizeActivation: Float = 0
  @Option(name: .customLong("regularize-entropy"), help: "Entropy regularization weight.")
  var regularizeEntropy: Float = 0
  @Option(name: .customLong("train-limit"), help: "Use the first N training samples.")
  var trainLimit: Int?
  @Option(name: .customLong("test-limit"), help: "Use the first N test samples.")
  var testLimit: Int?
  @OptionGroup var data: DataOptions
  @Flag(help: "Print one JSON object with the results as the last line.")
  var json = false

  /// The training configuration these options describe.
  func trainingConfiguration() throws -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    guard let datasetName = DatasetName(rawValue: dataset) else {
      throw ValidationError(
        "unknown --dataset '\(dataset)'; choose one of "
          + DatasetName.allCases.map(\.rawValue).joined(separator: ", "))
    }
    configuration.dataset = datasetName
    configuration.model = try parse(model, ModelKind.self, option: "--model")
    if let hiddenLayers {
      let widths = hiddenLayers.split(separator: ",").map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError(
          "--hidden-layers must be positive widths separated by commas, got '\(hiddenLayers)'")
      }
      configuration.hiddenLayers = widths.compactMap { $0 }
    } else {
      guard numLayers >= 1 else {
        throw ValidationError("--num-layers must be at least 1, got \(numLayers)")
      }
      configuration.hiddenLayers = Array(repeating: hiddenDim, count: numLayers - 1)
    }
    if datasetName.isClassification {
      guard inFeatures * outFeatures == 28 * 28 else {
        throw ValidationError(
          "--in-features × --out-features must be 784 (28×28 images) for \(dataset), got "
            + "\(inFeatures)×\(outFeatures)")
      }
      guard numClasses == 10 else {
        throw ValidationError("--num-classes must be 10 for \(dataset), got \(numClasses)")
      }
    }
    let range = gridRange.split(separator: ",").compactMap {
      Float($0.trimmingCharacters(in: .whitespaces))
    }
    guard range.count == 2 else {
      throw ValidationError("--grid-range must be LOWER,UPPER (e.g. -1,1), got '\(gridRange)'")
    }
    configuration.gridRange = range
    configuration.gridSize = gridSize
    configuration.gridEps = gridEps
    configuration.scaleNoise = scaleNoise
    configuration.scaleBase = scaleBase
    configuration.scaleSpline = scaleSpline
    configuration.splineOrder = splineOrder
    configuration.epochs = numEpochs
    configuration.batchSize = batchSize
    configuration.learningRate = learningRate
    configuration.weightDecay = weightDecay
    configuration.seed = seed
    configuration.normalization = try parse(
      normalization, Normalization.self, option: "--normalization")
    configuration.baseActivation = try parse(
      baseActivation, BaseActivation.self, option: "--base-activation")
    configuration.lrSchedule = try parse(
      lrSchedule, LearningRateSchedule.self, option: "--lr-schedule")
    configuration.lrGamma = lrGamma
    configuration.updateGridEvery = updateGridEvery
    configuration.updateGridEpochs = updateGridEpochs
    configuration.regularizeActivation = regularizeActivation
    configuration.regularizeEntropy = regularizeEntropy
    configuration.trainLimit = trainLimit
    configuration.testLimit = testLimit
    if let problem = configuration.problems.first {
      throw ValidationError(
        "--\(problem.key.replacingOccurrences(of: "_", with: "-")) \(problem.message)")
    }
    return configuration
  }

  private func parse<T: RawRepresentable & CaseIterable>(_ text: String, _: T.Type, option: String)
    throws -> T
  where T.RawValue == String {
    guard let value = T(rawValue: text) else {
      throw ValidationError(
        "unknown \(option) '\(text)'; choose one of "
          + T.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return value
  }

  func validate() throws {
    if useKANConvolution {
      FileHandle.standardError.write(
        Data(
          ("Error: --use-kan-convolution is not available yet: kan-sweep has no KAN convolution "
            + "layer. Train without it (a fully connected KAN on the flattened image).\n").utf8))
      throw ExitCode(2)
    }
    guard threads >= 1 else {
      throw ValidationError("--threads must be at least 1, got \(threads)")
    }
    _ = try trainingConfiguration()
  }

  func run() throws {
    let configuration = try trainingConfiguration()
    BLAS.threads = threads
    let data: TrainingData
    do {
      data = try TrainingData.load(
        for: configuration, dataDirectory: self.data.dataDirectory, verify: !self.data.noVerify)
    } catch {
      throw CommandFailure(error.description)
    }
    let trainer: Trainer
    do {
      trainer = try Trainer(configuration: configuration, data: data)
    } catch {
      throw CommandFailure("could not initialize the network: \(error)")
    }
    let widths = trainer.network.widths
    let interactive = !json && isatty(STDOUT_FILENO) == 1
    let progress = ProgressPrinter(
      interactive: interactive, reportsPerEpoch: max(1, evalReportCount),
      totalEpochs: configuration.epochs, quiet: false)
    progress.line(
      "\(configuration.model.rawValue.uppercased()) \(widths) on \(configuration.dataset.rawValue) "
        + "(\(data.trainCount) train / \(data.testCount) test), \(trainer.network.parameterCount) "
        + "parameters, seed \(configuration.seed), OpenBLAS \(BLAS.coreName) × \(BLAS.threads)")
    let start = Date()
    let result: (status: TrainingStatus, epochs: [EpochMetrics])
    do {
      result = try trainer.run(observer: progress)
    } catch {
      throw CommandFailure("grid update failed: \(error)")
    }
    let seconds = Date().timeIntervalSince(start)
    guard result.status == .completed, let last = result.epochs.last else {
      throw CommandFailure("training stopped: \(result.status.summary); no checkpoint written")
    }
    let saved: (sha256: String, bytes: Int)
    do {
      saved = try Checkpoint.save(trainer.network, configuration: configuration, to: savePath)
    } catch {
      throw CommandFailure(error.description)
    }
    progress.line("saved \(savePath) (\(saved.bytes) bytes) sha256 \(saved.sha256)")
    if json {
      var summary: [String: Any] = [
        "test_loss": Double(last.testLoss), "train_loss": Double(last.trainLoss),
        "epochs": result.epochs.count, "seconds": seconds, "seed": configuration.seed,
        "checkpoint": savePath, "sha256": saved.sha256,
        "parameters": trainer.network.parameterCount,
        "dataset": configuration.dataset.rawValue, "model": configuration.model.rawValue,
        "openblas_core": BLAS.coreName, "threads": BLAS.threads,
      ]
      if let accuracy = last.testAccuracy { summary["test_accuracy"] = Double(accuracy) }
      if let rmse = last.testRMSE { summary["test_rmse"] = Double(rmse) }
      let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    }
  }
}

/// A failure to report as `Error: …` with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
