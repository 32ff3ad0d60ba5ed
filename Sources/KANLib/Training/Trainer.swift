import Foundation

/// Trains one network on one dataset as a ``TrainingConfiguration`` says.
///
/// Concretely, for each epoch e: the learning rate from the schedule; the training indices
/// shuffled by a ``KANRandom`` (seed, stream 1) that persists across epochs; for each batch:
/// optional grid update (KAN, every `updateGridEvery` batches during the first
/// `updateGridEpochs` epochs), forward, loss (+ regularization), backward, AdamW step (or one
/// L-BFGS step, whose evaluations each run forward, loss and backward on the batch); then the
/// test split is evaluated in chunks of ``evaluationBatchSize``. With a `gridSchedule`, an epoch
/// whose grid size differs from the previous epoch's first replaces the KAN by its refinement
/// (``KAN/refined(gridSize:input:batchSize:)``) fitted on the epoch's first batch, and the
/// optimizer restarts. A NaN or infinite loss stops
/// the run with ``TrainingStatus/diverged(epoch:batch:loss:)``. Buffers are allocated once.
public final class Trainer {
  /// The run's configuration.
  public let configuration: TrainingConfiguration
  /// The data.
  public let data: TrainingData
  /// The network being trained (replaced by its refinement at each grid extension).
  public private(set) var network: Network
  /// The optimizer's state: AdamW's moments or L-BFGS's history, for the current network.
  private var optimizer: Optimizer

  private enum Optimizer {
    case adamW(AdamW)
    case lbfgs(LBFGS)
  }
  /// Rows per forward pass during evaluation (fixed, so evaluation is reproducible).
  public static let evaluationBatchSize = 500

  private let inputs: FloatBuffer
  private let targets: FloatBuffer
  private let outputGradient: FloatBuffer
  private var labels: [Int32]
  /// Stop after this epoch (a rerun of a trial pruned there); nil runs every epoch.
  public var lastEpoch: Int?
  private var order: [Int32]
  /// Training rows held out for validation (empty without a split).
  public let validationRows: [Int32]
  private var shuffler: KANRandom

  /// Builds the network from the seed (stream 0) and the optimizer.
  public init(configuration: TrainingConfiguration, data: TrainingData) throws(BLAS
    .LeastSquaresError)
  {
    precondition(
      configuration.problems.isEmpty, "Trainer: invalid configuration \(configuration.problems)")
    self.configuration = configuration
    self.data = data
    let widths = [data.inputWidth] + configuration.networkHiddenLayers + [data.outputWidth]
    var generator = KANRandom(seed: configuration.seed, stream: 0)
    network = try configuration.makeNetwork(widths: widths, generator: &generator)
    optimizer = Self.makeOptimizer(configuration, parameterCount: network.parameterCount)
    let rows = configuration.batchSize
    inputs = FloatBuffer(count: rows * data.inputWidth)
    targets = FloatBuffer(count: rows)
    outputGradient = FloatBuffer(count: rows * data.outputWidth)
    labels = [Int32](repeating: 0, count: rows)
    (order, validationRows) = Self.split(
      count: data.trainCount, fraction: configuration.validationFraction, seed: configuration.seed)
    shuffler = KANRandom(seed: configuration.seed, stream: 1)
  }

  private static func makeOptimizer(_ configuration: TrainingConfiguration, parameterCount: Int)
    -> Optimizer
  {
    switch configuration.optimizer {
    case .adamw:
      return .adamW(
        AdamW(
          parameterCount: parameterCount, learningRate: configuration.learningRate,
          weightDecay: configuration.weightDecay))
    case .lbfgs:
      // pykan's `fit`: history 10, strong Wolfe, and tolerances that never stop a step early.
      return .lbfgs(
        LBFGS(
          parameterCount: parameterCount, learningRate: configuration.learningRate,
          toleranceGrad: 1e-32, toleranceChange: 1e-32, toleranceYS: 1e-32, historySize: 10,
          lineSearch: .strongWolfe))
    }
  }

  /// Splits training rows 0..<count into training and validation rows: a permutation drawn from
  /// `KANRandom(seed:stream: 4)` puts its first ⌊fraction·count⌋ rows in validation; both lists
  /// are returned in ascending order. A fraction of 0 keeps every row for training (the same
  /// bits as a run without a split).
  public static func split(count: Int, fraction: Float, seed: UInt64) -> (
    training: [Int32], validation: [Int32]
  ) {
    let held = Int((Double(fraction) * Double(count)).rounded(.down))
    guard held > 0 else { return ((0..<Int32(count)).map { $0 }, []) }
    var permutation = (0..<Int32(count)).map { $0 }
    var generator = KANRandom(seed: seed, stream: 4)
    generator.shuffle(&permutation)
    return (Array(permutation[held...]).sorted(), Array(permutation[..<held]).sorted())
  }

  /// Runs every epoch, reporting to `observer`.
  public func run(observer: TrainingObserver? = nil) throws(BLAS.LeastSquaresError) -> (
    status: TrainingStatus, epochs: [EpochMetrics]
  ) {
    var history: [EpochMetrics] = []
    for epoch in 1...configuration.epochs {
      let learningRate = configuration.lrSchedule.learningRate(
        base: configuration.learningRate, gamma: configuration.lrGamma, epoch: epoch - 1,
        epochs: configuration.epochs)
      let start = DispatchTime.now().uptimeNanoseconds
      let outcome = try trainEpoch(
        epoch, learningRate: learningRate, observer: observer, start: start)
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      if outcome.status != .completed { return (outcome.status, history) }
      let evaluation = evaluate(.test)
      var metrics = EpochMetrics(
        epoch: epoch, trainLoss: outcome.meanLoss, testLoss: evaluation.loss,
        testAccuracy: evaluation.accuracy, testRMSE: evaluation.rmse,
        learningRate: learningRate, seconds: seconds,
        samplesPerSecond: Double(order.count) / max(seconds, 1e-9))
      if !validationRows.isEmpty {
        let validation = evaluate(.train, rows: validationRows)
        metrics.validationLoss = validation.loss
        metrics.validationAccuracy = validation.accuracy
        metrics.validationRMSE = validation.rmse
      }
      history.append(metrics)
      observer?.trainer(didFinishEpoch: metrics)
      if !evaluation.loss.isFinite {
        return (.diverged(epoch: epoch, batch: 0, loss: evaluation.loss), history)
      }
      if epoch == lastEpoch { break }
      if observer?.trainerShouldStop(afterEpoch: metrics) == true {
        return (.stoppedAfterEpoch(epoch), history)
      }
    }
    return (.completed, history)
  }

  private func trainEpoch(
    _ epoch: Int, learningRate: Float, observer: TrainingObserver?, start: UInt64
  ) throws(BLAS.LeastSquaresError) -> (status: TrainingStatus, meanLoss: Float) {
    shuffler.shuffle(&order)
    let batchSize = configuration.batchSize
    let trainCount = order.count
    let batchCount = (trainCount + batchSize - 1) / batchSize
    let gridSize = configuration.gridSize(atEpoch: epoch)
    if epoch > 1, gridSize != configuration.gridSize(atEpoch: epoch - 1), let kan = network as? KAN
    {
      let rows = min(batchSize, trainCount)
      fillBatch(.train, indices: order, from: 0, rows: rows)
      network = try kan.refined(gridSize: gridSize, input: inputs.pointer, batchSize: rows)
      optimizer = Self.makeOptimizer(configuration, parameterCount: network.parameterCount)
    }
    switch optimizer {
    case .adamW(let adamW): adamW.learningRate = learningRate
    case .lbfgs(let lbfgs): lbfgs.learningRate = learningRate
    }
    let updatesGrid =
      configuration.model == .kan && configuration.updateGridEvery > 0
      && epoch <= configuration.updateGridEpochs
    var lossSum = 0.0
    for batch in 0..<batchCount {
      let first = batch * batchSize
      let rows = min(batchSize, trainCount - first)
      fillBatch(.train, indices: order, from: first, rows: rows)
      if updatesGrid, batch % configuration.updateGridEvery == 0, rows > 1,
        let kan = network as? KAN
      {
        try kan.updateGrid(input: inputs.pointer, batchSize: rows)
      }
      let loss: Float
      switch optimizer {
      case .adamW(let adamW):
        loss = lossAndGradients(rows: rows)
        guard loss.isFinite else {
          return (.diverged(epoch: epoch, batch: batch + 1, loss: loss), .nan)
        }
        adamW.update(parameters: network.parameters.storage, gradients: network.gradients)
      case .lbfgs(let lbfgs):
        // L-BFGS reports the loss where the step started; a non-finite trial point inside its
        // line search is rejected by the Armijo test (NaN compares false), as in PyTorch.
        loss = Float(
          lbfgs.step(parameters: network.parameters.storage, gradients: network.gradients) {
            Double(lossAndGradients(rows: rows))
          })
        guard loss.isFinite else {
          return (.diverged(epoch: epoch, batch: batch + 1, loss: loss), .nan)
        }
      }
      lossSum += Double(loss) * Double(rows)
      if let observer {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        observer.trainer(
          didFinishBatch: batch + 1, of: batchCount, epoch: epoch, loss: loss,
          samplesPerSecond: Double(first + rows) / max(elapsed, 1e-9))
        if observer.trainerShouldStop() { return (.stopped(epoch: epoch), .nan) }
      }
    }
    return (.completed, Float(lossSum / Double(trainCount)))
  }

  /// Zeroes the gradients, runs forward, the loss (+ regularization) and backward on the batch
  /// in the input buffers; returns the loss.
  private func lossAndGradients(rows: Int) -> Float {
    network.zeroGradients()
    let output = network.forward(inputs.pointer, batchSize: rows)
    var loss = lossAndGradient(output: output, rows: rows, gradient: outputGradient.pointer)
    if configuration.regularizeActivation > 0 || configuration.regularizeEntropy > 0,
      let kan = network as? KAN
    {
      loss += kan.regularizationLoss(
        activation: configuration.regularizeActivation, entropy: configuration.regularizeEntropy,
        accumulateGradients: true)
    }
    guard loss.isFinite else { return loss }
    network.backward(outputGradient: outputGradient.pointer)
    return loss
  }

  /// Copies `rows` samples, `indices[from..<from + rows]`, into the input/label buffers.
  private func fillBatch(_ split: TrainingData.Split, indices: [Int32], from: Int, rows: Int) {
    indices.withUnsafeBufferPointer { all in
      labels.withUnsafeMutableBufferPointer { labelPointer in
        data.fill(
          split, indices: UnsafeBufferPointer(rebasing: all[from..<(from + rows)]),
          inputs: inputs.pointer, labels: labelPointer.start("Trainer"),
          targets: targets.pointer)
      }
    }
  }

  private func lossAndGradient(
    output: UnsafePointer<Float>, rows: Int, gradient: UnsafeMutablePointer<Float>?
  ) -> Float {
    if data.isClassification {
      return labels.withUnsafeBufferPointer { labelPointer in
        SoftmaxCrossEntropy.loss(
          logits: output, labels: labelPointer.start("Trainer"), batchSize: rows,
          classes: data.outputWidth, gradient: gradient)
      }
    }
    return MeanSquaredError.loss(
      predictions: output, targets: targets.pointer, count: rows * data.outputWidth,
      gradient: gradient)
  }

  /// Loss and accuracy (classification) or RMSE (regression) of `split` (of its `rows` only,
  /// when given).
  public func evaluate(_ split: TrainingData.Split, rows: [Int32]? = nil) -> (
    loss: Float, accuracy: Float?, rmse: Float?
  ) {
    let result = Evaluation(network: network, data: data, split: split, rows: rows).run()
    return data.isClassification
      ? (Float(result.loss), Float(result.accuracy), nil)
      : (Float(result.loss), nil, Float(result.rmse))
  }
}
