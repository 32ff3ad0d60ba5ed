import Foundation

/// Everything that determines a training run's numbers: model, data, optimization and seed.
///
/// Coding keys are the snake_case names used in sweep files (`grid_size`, `learning_rate`, …);
/// missing keys take the defaults below, so a configuration decodes from any subset.
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

  /// The defaults of `sweep train`.
  public init() {}

  enum CodingKeys: String, CodingKey, CaseIterable {
    case dataset, model
    case hiddenLayers = "hidden_layers"
    case gridSize = "grid_size"
    case splineOrder = "spline_order"
    case gridRange = "grid_range"
    case gridEps = "grid_eps"
    case scaleNoise = "scale_noise"
    case scaleBase = "scale_base"
    case scaleSpline = "scale_spline"
    case baseActivation = "base_activation"
    case epochs
    case batchSize = "batch_size"
    case learningRate = "learning_rate"
    case weightDecay = "weight_decay"
    case lrSchedule = "lr_schedule"
    case lrGamma = "lr_gamma"
    case updateGridEvery = "update_grid_every"
    case updateGridEpochs = "update_grid_epochs"
    case regularizeActivation = "regularize_activation"
    case regularizeEntropy = "regularize_entropy"
    case normalization
    case trainLimit = "train_limit"
    case testLimit = "test_limit"
    case seed
  }

  /// The snake_case names of every field, as sweep files spell them.
  public static var parameterNames: [String] { CodingKeys.allCases.map(\.rawValue) }

  /// Decodes from any subset of the keys; absent keys keep their defaults.
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    var value = TrainingConfiguration()
    func read<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<TrainingConfiguration, T>)
      throws
    {
      if let decoded = try container.decodeIfPresent(T.self, forKey: key) {
        value[keyPath: path] = decoded
      }
    }
    try read(.dataset, \.dataset)
    try read(.model, \.model)
    try read(.hiddenLayers, \.hiddenLayers)
    try read(.gridSize, \.gridSize)
    try read(.splineOrder, \.splineOrder)
    try read(.gridRange, \.gridRange)
    try read(.gridEps, \.gridEps)
    try read(.scaleNoise, \.scaleNoise)
    try read(.scaleBase, \.scaleBase)
    try read(.scaleSpline, \.scaleSpline)
    try read(.baseActivation, \.baseActivation)
    try read(.epochs, \.epochs)
    try read(.batchSize, \.batchSize)
    try read(.learningRate, \.learningRate)
    try read(.weightDecay, \.weightDecay)
    try read(.lrSchedule, \.lrSchedule)
    try read(.lrGamma, \.lrGamma)
    try read(.updateGridEvery, \.updateGridEvery)
    try read(.updateGridEpochs, \.updateGridEpochs)
    try read(.regularizeActivation, \.regularizeActivation)
    try read(.regularizeEntropy, \.regularizeEntropy)
    try read(.normalization, \.normalization)
    value.trainLimit = try container.decodeIfPresent(Int.self, forKey: .trainLimit)
    value.testLimit = try container.decodeIfPresent(Int.self, forKey: .testLimit)
    try read(.seed, \.seed)
    self = value
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

  /// Canonical JSON (sorted keys): equal configurations give equal bytes.
  public var canonicalJSON: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8)
    else { return "{}" }
    return text
  }

  /// What is wrong with this configuration, keyed by parameter name (empty when valid).
  public var problems: [(key: String, message: String)] {
    var found: [(String, String)] = []
    func check(_ condition: Bool, _ key: CodingKeys, _ message: String) {
      if !condition { found.append((key.rawValue, message)) }
    }
    check(
      hiddenLayers.allSatisfy { $0 > 0 }, .hiddenLayers,
      "every hidden width must be at least 1, got \(hiddenLayers)")
    check(gridSize >= 1, .gridSize, "must be at least 1, got \(gridSize)")
    check(splineOrder >= 1, .splineOrder, "must be at least 1, got \(splineOrder)")
    check(
      gridRange.count == 2 && gridRange[0] < gridRange[1], .gridRange,
      "must be [lower, upper] with lower < upper, got \(gridRange)")
    check(gridEps >= 0 && gridEps <= 1, .gridEps, "must be in [0, 1], got \(gridEps)")
    check(
      scaleNoise >= 0 && scaleNoise.isFinite, .scaleNoise,
      "must be a finite number ≥ 0, got \(scaleNoise)")
    check(scaleBase.isFinite, .scaleBase, "must be finite, got \(scaleBase)")
    check(scaleSpline.isFinite, .scaleSpline, "must be finite, got \(scaleSpline)")
    check(epochs >= 1, .epochs, "must be at least 1, got \(epochs)")
    check(batchSize >= 1, .batchSize, "must be at least 1, got \(batchSize)")
    check(
      learningRate > 0 && learningRate.isFinite, .learningRate,
      "must be a positive number, got \(learningRate)")
    check(
      weightDecay >= 0 && weightDecay.isFinite, .weightDecay,
      "must be a number ≥ 0, got \(weightDecay)")
    check(lrGamma > 0 && lrGamma.isFinite, .lrGamma, "must be a positive number, got \(lrGamma)")
    check(updateGridEvery >= 0, .updateGridEvery, "must be ≥ 0 (0 = never), got \(updateGridEvery)")
    check(updateGridEpochs >= 0, .updateGridEpochs, "must be ≥ 0, got \(updateGridEpochs)")
    check(
      regularizeActivation >= 0, .regularizeActivation, "must be ≥ 0, got \(regularizeActivation)")
    check(regularizeEntropy >= 0, .regularizeEntropy, "must be ≥ 0, got \(regularizeEntropy)")
    check((trainLimit ?? 1) >= 1, .trainLimit, "must be at least 1, got \(trainLimit ?? 0)")
    check((testLimit ?? 1) >= 1, .testLimit, "must be at least 1, got \(testLimit ?? 0)")
    return found
  }
}
