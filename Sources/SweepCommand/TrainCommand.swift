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
      """ + "\n\n" + parameterHelp)

  @Option(
    name: [.customLong("num-layers"), .customLong("num_layers")],
    parsing: .unconditional,
    help: "Number of KAN layers (hidden layers = num-layers − 1; see --hidden-layers).")
  var numLayers = 2
  @Option(
    name: [.customLong("hidden-dim"), .customLong("hidden_dim")],
    parsing: .unconditional, help: "Width of each hidden layer (see --hidden-layers).")
  var hiddenDim = 64
  @Option(
    name: [.customLong("num-classes"), .customLong("num_classes")],
    parsing: .unconditional, help: "Output classes.")
  var numClasses = 10
  @Option(
    name: [.customLong("in-features"), .customLong("in_features")],
    parsing: .unconditional, help: "Image height.")
  var inFeatures = 28
  @Option(
    name: [.customLong("out-features"), .customLong("out_features")],
    parsing: .unconditional, help: "Image width.")
  var outFeatures = 28
  @Option(
    name: [.customLong("eval-report-count"), .customLong("eval_report_count")],
    parsing: .unconditional, help: "Progress lines per epoch when the output is not a terminal.")
  var evalReportCount = 10
  @Option(name: [.customLong("save-path"), .customLong("save_path")], help: "Checkpoint to write.")
  var savePath = "trained_kan_model.safetensors"
  @Flag(help: "Replace the checkpoint at --save-path if it exists.")
  var overwrite = false
  @Flag(help: "Accepted for compatibility: kan-sweep always runs on the CPU.")
  var cpu = false
  @Flag(
    name: [.customLong("use-kan-convolution"), .customLong("use_kan_convolution")],
    help: ArgumentHelp(
      "Train a convolutional KAN (--model conv_kan) with convkan's recipe.",
      discussion:
        "convkan's README model (KAN convolutions 1→32→32→10 with strides 1, 2, 2, LayerNorm2D, "
        + "global average pooling; see --conv-channels, --kernel-size, --conv-strides) on "
        + "MNIST-normalized pixels (--normalization standard), batch 128, AdamW with learning "
        + "rate 0.01 and PyTorch's default weight decay 0.01; options given explicitly win."))
  var useKANConvolution = false
  @Option(
    parsing: .unconditional,
    help:
      "Cores for this run: OpenBLAS threads (the bits depend on it), or with --shards above 1 that many shards at once (the bits do not)."
  )
  var threads = 1
  @OptionGroup var data: DataOptions
  @Flag(help: "Print one JSON object with the results as the last line.")
  var json = false
  /// The trial parameters (`--grid-size 5`, …), read with the parameter registry.
  @Argument(parsing: .allUnrecognized, help: .hidden)
  var parameterArguments: [String] = []

  /// The trial parameters' help, generated from the registry.
  static var parameterHelp: String {
    var lines = ["Trial parameters (also accepted with '_' for '-'; values are checked):"]
    for parameter in TrainingParameter.all {
      let spellings = parameter.optionNames.map { "--" + $0 }.joined(separator: ", ")
      let range: String
      switch parameter.type {
      case .choice: range = ""
      default: range = " " + parameter.type.summary.prefixUppercased + "."
      }
      let fallback = parameter.defaultValue.map { " Default: \($0.commandLineText)." } ?? ""
      lines.append("  \(spellings) \(parameter.type.placeholder)")
      lines += wrap(parameter.help + range + fallback, width: 70).map { "        " + $0 }
    }
    return lines.joined(separator: "\n")
  }

  /// `text` in lines of at most `width` characters, broken at spaces.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      line += (line.isEmpty ? "" : " ") + word
    }
    return line.isEmpty ? lines : lines + [line]
  }

  /// The training configuration these options describe.
  func trainingConfiguration() throws -> TrainingConfiguration {
    // `validate()` has checked --num-layers and --hidden-dim against their ranges.
    var base = TrainingConfiguration()
    base.hiddenLayers = Array(repeating: hiddenDim, count: numLayers - 1)
    if useKANConvolution {
      // convkan's example: batches of 128, AdamW at 1e-2 with torch.optim.AdamW's default decay,
      // torchvision's MNIST normalization.
      base.model = .convKAN
      base.batchSize = 128
      base.learningRate = 1e-2
      base.weightDecay = 0.01
      base.normalization = .standard
    }
    let configuration: TrainingConfiguration
    do {
      configuration = try TrainingConfiguration.parse(commandLine: parameterArguments, base: base)
        .configuration
    } catch {
      throw ValidationError(error.description)
    }
    if useKANConvolution && configuration.model != .convKAN {
      throw ValidationError(
        "--use-kan-convolution trains model conv_kan; drop --model \(configuration.model.rawValue)"
          + " or the flag")
    }
    if configuration.dataset.isClassification {
      guard inFeatures * outFeatures == 28 * 28 else {
        throw ValidationError(
          "--in-features × --out-features must be 784 (28×28 images) for "
            + "\(configuration.dataset.rawValue), got \(inFeatures)×\(outFeatures)")
      }
      guard numClasses == 10 else {
        throw ValidationError(
          "--num-classes must be 10 for \(configuration.dataset.rawValue), got \(numClasses)")
      }
    }
    if let problem = configuration.problems.first,
      let parameter = TrainingParameter.named(problem.key)
    {
      throw ValidationError("\(parameter.option) \(problem.message)")
    }
    return configuration
  }

  func validate() throws {
    try check("--threads", threads, in: 1...512)
    try check("--num-layers", numLayers, in: 1...64)
    try check("--hidden-dim", hiddenDim, in: 1...100_000)
    try check("--eval-report-count", evalReportCount, in: 1...10_000)
    if FileManager.default.fileExists(atPath: savePath) && !overwrite {
      throw ValidationError(
        "\(savePath) exists; choose another --save-path or add --overwrite to replace it")
    }
    _ = try trainingConfiguration()
  }

  func run() throws {
    let configuration = try trainingConfiguration()
    BLAS.threads = threads
    let data: TrainingData
    let loadStart = Date()
    do {
      data = try TrainingData.load(
        for: configuration, dataDirectory: self.data.dataDirectory, verify: !self.data.noVerify)
    } catch {
      throw CommandFailure(error.description)
    }
    let loadSeconds = Date().timeIntervalSince(loadStart)
    let trainer: Trainer
    do {
      trainer = try Trainer(configuration: configuration, data: data)
      trainer.useThreads(threads)
    } catch {
      throw CommandFailure("could not initialize the network: \(error)")
    }
    let widths: String
    if let network = trainer.network as? ConvKAN {
      let architecture = network.configuration
      widths =
        "\([architecture.inputChannels] + architecture.channels) channels, kernel "
        + "\(architecture.kernelSize), strides \(architecture.strides)"
    } else {
      widths = "\(trainer.network.widths)"
    }
    let interactive = !json && isatty(STDOUT_FILENO) == 1
    let progress = ProgressPrinter(
      interactive: interactive, reportsPerEpoch: max(1, evalReportCount),
      totalEpochs: configuration.epochs, quiet: false)
    progress.line(
      "\(configuration.model.displayName) \(widths) on \(configuration.dataset.rawValue) "
        + "(\(data.trainCount) train / \(data.testCount) test), \(trainer.network.parameterCount) "
        + "parameters, \(Int(configuration.cost(gridSize: configuration.gridSize).flops)) FLOPs/sample, seed \(configuration.seed), OpenBLAS \(BLAS.coreName) × \(BLAS.threads)"
    )
    let start = Date()
    let result: (status: TrainingStatus, epochs: [EpochMetrics])
    do {
      result = try trainer.run(observer: progress)
    } catch {
      throw CommandFailure("grid update failed: \(error)")
    }
    let seconds = Date().timeIntervalSince(start)
    let trainSeconds = result.epochs.reduce(0) { $0 + $1.seconds }
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
    progress.line(
      String(
        format: "time: load %.2f s, train %.2f s, evaluation %.2f s", loadSeconds, trainSeconds,
        max(0, seconds - trainSeconds)))
    if json {
      var summary: [String: Any] = [
        "test_loss": Double(last.testLoss), "train_loss": Double(last.trainLoss),
        "epochs": result.epochs.count, "seconds": seconds, "seed": configuration.seed,
        "checkpoint": savePath, "sha256": saved.sha256,
        "parameters": trainer.network.parameterCount,
        // Where the time went: reading the data, the training epochs, evaluating after them.
        "load_seconds": loadSeconds, "train_seconds": trainSeconds,
        "evaluation_seconds": max(0, seconds - trainSeconds),
        "flops": configuration.cost(gridSize: (trainer.network as? KAN)?.configuration.gridSize)
          .flops,
        "dataset": configuration.dataset.rawValue, "model": configuration.model.rawValue,
        "openblas_core": BLAS.coreName, "threads": trainer.threads,
        "shards": configuration.shards,
      ]
      if let accuracy = last.testAccuracy { summary["test_accuracy"] = Double(accuracy) }
      if let rmse = last.testRMSE { summary["test_rmse"] = Double(rmse) }
      if let loss = last.validationLoss { summary["val_loss"] = Double(loss) }
      if let accuracy = last.validationAccuracy { summary["val_accuracy"] = Double(accuracy) }
      if let rmse = last.validationRMSE { summary["val_rmse"] = Double(rmse) }
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

extension String {
  /// The string with its first letter uppercased ("an integer" → "An integer").
  var prefixUppercased: String { prefix(1).uppercased() + dropFirst() }
}
