extension TrainingParameter {
  /// Every trial parameter, in the order of tables, help and reproduce commands.
  ///
  /// To add a parameter: add its field to ``TrainingConfiguration``, append an entry to
  /// `addedLater` below, and use the field in KANLib. Entries of `firstRelease` are always
  /// written to the canonical JSON (existing trial identities depend on it); later ones only
  /// when they differ from their default, so adding one keeps every existing identity.
  public static let all: [TrainingParameter] =
    firstRelease.map { $0.alwaysEncoded() } + addedLater

  private static let firstRelease: [TrainingParameter] = [
    TrainingParameter(
      "dataset", \.dataset, DatasetName.parameterType, help: "The training and test data."),
    TrainingParameter(
      "model", \.model, ModelKind.parameterType,
      help: "kan, the mlp baseline, or conv_kan (KAN convolutions, convkan's architecture)."),
    TrainingParameter(
      "hidden_layers", \.hiddenLayers, .integers(each: 1...100_000, count: 0...64),
      help: "Hidden widths; input and output widths come from the dataset."),
    TrainingParameter(
      "grid_size", \.gridSize, .integer(1...1000), kanOnly: true, help: "KAN grid intervals G."),
    TrainingParameter(
      "spline_order", \.splineOrder, .integer(1...10), kanOnly: true,
      help: "KAN spline degree k."),
    TrainingParameter(
      "grid_range", \.gridRange, .numbers(each: -1e6...1e6, count: 2...2), kanOnly: true,
      help: "KAN initial grid [lower, upper], lower < upper."),
    TrainingParameter(
      "grid_eps", \.gridEps, .number(0...1), kanOnly: true,
      help: "KAN grid updates: weight of the uniform grid against the adaptive one."),
    TrainingParameter(
      "scale_noise", \.scaleNoise, .number(0...1000), kanOnly: true,
      help: "KAN spline initialization noise."),
    TrainingParameter(
      "scale_base", \.scaleBase, .number(-1000...1000), kanOnly: true,
      help: "KAN base-branch initialization scale."),
    TrainingParameter(
      "scale_spline", \.scaleSpline, .number(-1000...1000), kanOnly: true,
      help: "KAN spline-branch initialization scale."),
    TrainingParameter(
      "base_activation", \.baseActivation, BaseActivation.parameterType,
      help: "KAN base activation, or the MLP's hidden activation."),
    TrainingParameter(
      "epochs", \.epochs, .integer(1...100_000), options: ["num-epochs", "epochs"],
      help: "Passes over the training split."),
    TrainingParameter(
      "batch_size", \.batchSize, .integer(1...1_000_000),
      help: "Samples per optimizer step (the last batch of an epoch may be smaller)."),
    TrainingParameter(
      "learning_rate", \.learningRate, .number(0...1e6),
      help: "The optimizer's learning rate (L-BFGS: its step scale, usually 1)."),
    TrainingParameter(
      "weight_decay", \.weightDecay, .number(0...10),
      help: "AdamW decoupled weight decay (L-BFGS has none)."),
    TrainingParameter(
      "lr_schedule", \.lrSchedule, LearningRateSchedule.parameterType,
      help: "Learning-rate schedule over epochs."),
    TrainingParameter(
      "lr_gamma", \.lrGamma, .number(1e-6...10), help: "γ of the exponential schedule."),
    TrainingParameter(
      "update_grid_every", \.updateGridEvery, .integer(0...1_000_000_000), kanOnly: true,
      help: "Adapt the KAN grids to the data every N batches (0 = never)."),
    TrainingParameter(
      "update_grid_epochs", \.updateGridEpochs, .integer(0...100_000), kanOnly: true,
      help: "Grid updates happen during the first M epochs only."),
    TrainingParameter(
      "regularize_activation", \.regularizeActivation, .number(0...1e6), kanOnly: true,
      help: "Weight of efficient-kan's L1 activation regularization."),
    TrainingParameter(
      "regularize_entropy", \.regularizeEntropy, .number(0...1e6), kanOnly: true,
      help: "Weight of efficient-kan's entropy regularization."),
    TrainingParameter(
      "normalization", \.normalization, Normalization.parameterType,
      help: "Pixels: symmetric (pixels/255·2−1), unit (pixels/255) or standard "
        + "((pixels/255 − 0.1307)/0.3081, MNIST's mean and deviation, convkan's example)."),
    TrainingParameter(
      "train_limit", \.trainLimit, .integer(1...1_000_000_000),
      help: "Use the first N training samples (synthetic tasks: generate N; default 1000)."),
    TrainingParameter(
      "test_limit", \.testLimit, .integer(1...1_000_000_000),
      help: "Use the first N test samples (synthetic tasks: generate N; default 1000)."),
    TrainingParameter(
      "seed", \.seed, .integer(0...Int.max), inSweepFiles: false,
      help: "Seed of every random draw (sweep files list seeds under `seeds:`)."),
  ]

  private static let addedLater: [TrainingParameter] = [
    TrainingParameter(
      "validation_fraction", \.validationFraction, .number(0...0.5),
      help: "Fraction of the training split held out (chosen from the seed) for val_* metrics; "
        + "sweeps default to 0.1, `sweep train` to 0."),
    TrainingParameter(
      "optimizer", \.optimizer, OptimizerKind.parameterType,
      help: "adamw (mini-batches) or lbfgs (strong-Wolfe L-BFGS, one step of up to 20 "
        + "iterations per batch; use a batch as large as the training split and learning_rate 1)."),
    TrainingParameter(
      "grid_schedule", \.gridSchedule, .integers(each: 1...1000, count: 0...32), kanOnly: true,
      help: "KAN grid extension: increasing grid sizes, e.g. [3, 5, 10, 20] (it sets grid_size to "
        + "its first); each layer is refit to the next size by least squares (pykan's refine)."),
    TrainingParameter(
      "grid_extend_every", \.gridExtendEvery, .integer(1...1_000_000), kanOnly: true,
      help: "Epochs spent on each grid of grid_schedule."),
    TrainingParameter(
      "shards", \.shards, .integer(1...64),
      help: "Split each batch into this many shards whose gradients are summed in a fixed order; "
        + "`--threads` runs that many at once with the same bits (1: one pass, OpenBLAS threads)."),
    TrainingParameter(
      "basis", \.basis, BasisKind.parameterType, kanOnly: true,
      help: "KAN edge basis: bspline (efficient-kan), rbf (FastKAN: Gaussians at grid_size "
        + "centres over grid_range after a layer norm, plus a SiLU branch) or chebyshev "
        + "(ChebyKAN: Chebyshev polynomials of tanh(x) up to degree)."),
    TrainingParameter(
      "degree", \.degree, .integer(1...64), kanOnly: true,
      help: "Chebyshev KANs: the highest polynomial degree."),
    TrainingParameter(
      "match", \.match, MatchKind.parameterType,
      help: "MLP trials: scale hidden_layers so the MLP has its KAN twin's parameters or FLOPs "
        + "(KANbeFair's counting; the twin is the same configuration with model kan)."),
    TrainingParameter(
      "conv_channels", \.convChannels, .integers(each: 1...1024, count: 0...16),
      convolutionOnly: true,
      help: "conv_kan: output channels of the convolutions before the last (which has one per "
        + "class); each but the last is followed by a LayerNorm2D."),
    TrainingParameter(
      "kernel_size", \.kernelSize, .integer(1...15), convolutionOnly: true,
      help: "conv_kan: square kernel size of every convolution (zero padding kernel_size/2)."),
    TrainingParameter(
      "conv_strides", \.convStrides, .integers(each: 1...8, count: 1...17),
      convolutionOnly: true,
      help: "conv_kan: the stride of every convolution, one more than conv_channels."),
  ]

  private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The parameter called `name` (snake_case), if any.
  public static func named(_ name: String) -> TrainingParameter? { byName[name] }

  /// The parameters a sweep file may set, in registry order.
  public static var sweepFileParameters: [TrainingParameter] { all.filter(\.inSweepFiles) }
}
