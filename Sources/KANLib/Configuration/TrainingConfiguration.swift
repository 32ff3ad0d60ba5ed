import Foundation

/// Everything that determines a training run's numbers: model, data, optimization and seed.
///
/// Each field is a trial parameter declared in ``TrainingParameter/all``, which gives its
/// snake_case name (`grid_size`, `learning_rate`, …), range and help; missing keys take the
/// defaults below, so a configuration decodes from any subset.
public struct TrainingConfiguration: Sendable, Codable, Hashable {
  /// The dataset.
  public var dataset: DatasetName = .mnist
  /// KAN or MLP.
  public var model: ModelKind = .kan
  /// Hidden widths; the input and output widths come from the dataset.
  public var hiddenLayers: [Int] = [64]
  /// KAN grid intervals G.
  public var gridSize = 5
  /// KAN spline degree k.
  public var splineOrder = 3
  /// KAN initial grid range [lower, upper].
  public var gridRange: [Float] = [-1, 1]
  /// KAN uniform-grid weight in grid updates.
  public var gridEps: Float = 0.02
  /// KAN spline initialization noise.
  public var scaleNoise: Float = 0.1
  /// KAN base-branch initialization scale.
  public var scaleBase: Float = 1
  /// KAN spline-branch initialization scale.
  public var scaleSpline: Float = 1
  /// KAN base activation, or the MLP's hidden activation.
  public var baseActivation: BaseActivation = .silu
  /// Passes over the training split.
  public var epochs = 10
  /// Samples per optimizer step (the last batch of an epoch may be smaller).
  public var batchSize = 64
  /// AdamW learning rate.
  public var learningRate: Float = 1e-3
  /// AdamW decoupled weight decay.
  public var weightDecay: Float = 1e-4
  /// Learning-rate schedule over epochs.
  public var lrSchedule: LearningRateSchedule = .constant
  /// γ of the exponential schedule.
  public var lrGamma: Float = 0.9
  /// Adapt the KAN grids every N batches (0 = never).
  public var updateGridEvery = 0
  /// Grid updates happen during the first M epochs only.
  public var updateGridEpochs = 1
  /// Weight of efficient-kan's L1 regularization term.
  public var regularizeActivation: Float = 0
  /// Weight of efficient-kan's entropy regularization term.
  public var regularizeEntropy: Float = 0
  /// Pixel normalization of image data.
  public var normalization: Normalization = .symmetric
  /// Use only the first N training samples (synthetic tasks: generate N; default 1000).
  public var trainLimit: Int?
  /// Use only the first N test samples (synthetic tasks: generate N; default 1000).
  public var testLimit: Int?
  /// The seed of every random draw of the run.
  public var seed: UInt64 = 0
  /// Fraction of the training split held out for validation (0: none, `sweep train`'s default;
  /// sweeps default to 0.1, see `ExperimentFile`).
  public var validationFraction: Float = 0
  /// The optimizer.
  public var optimizer: OptimizerKind = .adamw
  /// Grid extension: the grid sizes a KAN passes through (empty: the grid size stays fixed).
  /// Setting it sets ``gridSize`` to its first entry, the grid a KAN starts from; a later,
  /// different ``gridSize`` is a problem (see ``problems``).
  public var gridSchedule: [Int] = [] {
    didSet { if let first = gridSchedule.first { gridSize = first } }
  }
  /// Epochs between grid extensions (the next grid of ``gridSchedule`` starts every N epochs).
  public var gridExtendEvery = 1
  /// Shards per batch: each runs forward and backward on its rows, and their gradients are
  /// summed in shard order, so the bits do not depend on how many run at once (`--threads`).
  public var shards = 1
  /// The basis on a KAN's edges.
  public var basis: BasisKind = .bspline
  /// Chebyshev KANs: the highest polynomial degree.
  public var degree = 4
  /// MLP trials: size the hidden widths to the KAN twin's parameters or FLOPs (see
  /// ``networkHiddenLayers``).
  public var match: MatchKind = .none
  /// conv_kan: output channels of the convolutions before the last.
  public var convChannels = [32, 32]
  /// conv_kan: square kernel size of every convolution.
  public var kernelSize = 3
  /// conv_kan: every convolution's stride (one more than ``convChannels``).
  public var convStrides = [1, 2, 2]

  /// The defaults of `sweep train`.
  public init() {}

  /// Decodes from any subset of the registry's names; absent keys keep their defaults.
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: ParameterCodingKey.self)
    var value = TrainingConfiguration()
    for parameter in TrainingParameter.all {
      try parameter.decode(into: &value, from: container)
    }
    self = value
  }

  /// Encodes every parameter of the registry under its snake_case name.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: ParameterCodingKey.self)
    for parameter in TrainingParameter.all {
      try parameter.encode(self, into: &container)
    }
  }

  /// The KAN hyperparameters of this run.
  public var kanConfiguration: KANConfiguration {
    var configuration = KANConfiguration()
    configuration.gridSize = gridSize
    configuration.splineOrder = splineOrder
    configuration.scaleNoise = scaleNoise
    configuration.scaleBase = scaleBase
    configuration.scaleSpline = scaleSpline
    configuration.baseActivation = baseActivation
    configuration.gridEps = gridEps
    configuration.gridLower = gridRange.first ?? -1
    configuration.gridUpper = gridRange.last ?? 1
    return configuration
  }

  /// Canonical JSON (sorted keys): equal configurations give equal bytes. A configuration
  /// with problems (see ``problems``) is refused rather than written in a form that could not be
  /// read back as the same configuration.
  public func canonicalJSON() throws(ConfigurationError) -> String {
    let found = problems
    guard found.isEmpty else { throw ConfigurationError(problems: found) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(self), as: UTF8.self)
    } catch {
      throw ConfigurationError(problems: [("", "cannot be encoded: \(error)")])
    }
  }

  /// What is wrong with this configuration, keyed by parameter name (empty when valid): every
  /// value against its registry range, then the constraints between values.
  public var problems: [(key: String, message: String)] {
    var found: [(key: String, message: String)] = []
    for parameter in TrainingParameter.all {
      if let value = parameter.value(in: self), let problem = parameter.type.problem(with: value) {
        found.append((parameter.name, problem))
      }
    }
    if gridRange.count == 2 && !(gridRange[0] < gridRange[1])
      && !found.contains(where: { $0.key == "grid_range" })
    {
      found.append(("grid_range", "must be [lower, upper] with lower < upper, got \(gridRange)"))
    }
    if model == .mlp && match != .none && hiddenLayers.isEmpty {
      found.append(("match", "needs hidden_layers to scale (the MLP has none)"))
    }
    if model == .convKAN { found += convolutionProblems }
    if model == .kan && basis != .bspline {
      let bsplineOnly: [(String, Bool)] = [
        ("grid_schedule", !gridSchedule.isEmpty), ("update_grid_every", updateGridEvery > 0),
        ("regularize_activation", regularizeActivation > 0),
        ("regularize_entropy", regularizeEntropy > 0),
      ]
      for (name, isSet) in bsplineOnly where isSet {
        found.append((name, "applies to basis bspline only (this trial's basis is \(basis))"))
      }
    }
    if model == .kan && basis == .rbf {
      if gridSize < 2 {
        found.append(
          ("grid_size", "must be at least 2 for basis rbf (the Gaussian centres), got \(gridSize)"))
      }
      if layerWidths.dropLast().contains(1) {
        found.append(
          (
            "hidden_layers",
            "basis rbf needs every layer's input width above 1 (FastKAN's layer norm over one "
              + "feature is constant), got widths \(layerWidths)"
          ))
      }
    }
    if !gridSchedule.isEmpty && !found.contains(where: { $0.key == "grid_schedule" }) {
      if zip(gridSchedule, gridSchedule.dropFirst()).contains(where: { $0 >= $1 }) {
        found.append(("grid_schedule", "must increase, got \(gridSchedule)"))
      } else if gridSchedule[0] != gridSize {
        // Keyed by grid_size: a sweep file's grid_schedule alone is checked against the
        // default grid_size, so the pair is checked once both are known.
        found.append(
          (
            "grid_size",
            "is \(gridSize) but grid_schedule starts at \(gridSchedule[0]): set grid_size: "
              + "\(gridSchedule[0]) (the grid a KAN starts from)"
          ))
      }
    }
    return found
  }

  /// The architecture of a conv_kan trial: ``convChannels`` plus one channel per class,
  /// ``kernelSize``, ``convStrides``, on the dataset's 1×28×28 images.
  public var convKANConfiguration: ConvKANConfiguration {
    var configuration = ConvKANConfiguration()
    configuration.channels = convChannels + [datasetWidths.output]
    configuration.kernelSize = kernelSize
    configuration.strides = convStrides
    configuration.hyperparameters = kanConfiguration
    return configuration
  }

  /// What a conv_kan trial cannot do, keyed by parameter name.
  private var convolutionProblems: [(key: String, message: String)] {
    var found: [(key: String, message: String)] = []
    guard dataset.isClassification else {
      return [("model", "conv_kan needs an image dataset (mnist or fashion-mnist), got \(dataset)")]
    }
    let unsupported: [(String, Bool)] = [
      ("basis", basis != .bspline), ("grid_schedule", !gridSchedule.isEmpty),
      ("update_grid_every", updateGridEvery > 0),
      ("regularize_activation", regularizeActivation > 0),
      ("regularize_entropy", regularizeEntropy > 0), ("match", match != .none),
    ]
    for (name, isSet) in unsupported where isSet {
      found.append((name, "is not available for model conv_kan (B-spline KAN convolutions)"))
    }
    if convStrides.count != convChannels.count + 1 {
      found.append(
        (
          "conv_strides",
          "needs one stride per convolution: \(convChannels.count + 1) for conv_channels "
            + "\(convChannels) (the last convolution has one channel per class), got \(convStrides)"
        ))
      return found
    }
    return found + convKANConfiguration.problems
  }

  /// The grid size during epoch `epoch` (from 1): ``gridSchedule``'s entry ⌊(epoch − 1) /
  /// gridExtendEvery⌋ (its last entry from then on), or ``gridSize`` without a schedule.
  public func gridSize(atEpoch epoch: Int) -> Int {
    guard !gridSchedule.isEmpty else { return gridSize }
    let stage = (max(epoch, 1) - 1) / max(gridExtendEvery, 1)
    return gridSchedule[min(stage, gridSchedule.count - 1)]
  }
}

/// A configuration that cannot be used: each problem names its parameter.
public struct ConfigurationError: Error, CustomStringConvertible {
  /// (parameter name, what is wrong).
  public let problems: [(key: String, message: String)]

  /// `grid_size must be …; learning_rate must be …`.
  public var description: String {
    problems.map { $0.key.isEmpty ? $0.message : "\($0.key) \($0.message)" }.joined(
      separator: "; ")
  }
}
