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

  /// How many shards run at once (with `shards` > 1; each then uses one OpenBLAS thread). The
  /// result does not depend on it. Set it with ``useThreads(_:)``.
  public private(set) var threads = 1
  /// Networks sharing `network`'s parameters, one per shard after the first.
  private var shardNetworks: [Network] = []
  /// Each shard's loss of the current step.
  private let shardLosses: FloatBuffer
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
    let network = try configuration.makeNetwork(widths: widths, generator: &generator)
    self.network = network
    optimizer = Self.makeOptimizer(configuration, parameterCount: network.parameterCount)
    shardNetworks = (1..<configuration.shards).map { _ in network.makeShard() }
    let rows = configuration.batchSize
    inputs = FloatBuffer(count: rows * data.inputWidth)
    targets = FloatBuffer(count: rows)
    outputGradient = FloatBuffer(count: rows * data.outputWidth)
    shardLosses = FloatBuffer(count: configuration.shards)
    labels = [Int32](repeating: 0, count: rows)
    (order, validationRows) = Self.split(
      count: data.trainCount, fraction: configuration.validationFraction, seed: configuration.seed)
    shuffler = KANRandom(seed: configuration.seed, stream: 1)
  }

  /// Uses `count` cores: with `shards` > 1, that many shards at once on one OpenBLAS thread each
  /// (the bits do not depend on `count`); otherwise `count` OpenBLAS threads (the bits do).
  public func useThreads(_ count: Int) {
    threads = max(1, count)
    BLAS.threads = configuration.shards > 1 ? 1 : threads
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
      let refined = try kan.refined(gridSize: gridSize, input: inputs.pointer, batchSize: rows)
      network = refined
      optimizer = Self.makeOptimizer(configuration, parameterCount: refined.parameterCount)
      shardNetworks = (1..<configuration.shards).map { _ in refined.makeShard() }
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
        let (parameters, gradients) = (network.parameters.storage, network.gradients)
        adamW.beginStep(parameters: parameters, gradients: gradients)
        inParallel(count: parameters.count) { range in
          adamW.update(parameters: parameters, gradients: gradients, range: range)
        }
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
  ///
  /// With `shards` = S > 1 the rows split into S contiguous shards (the first rows % S shards one
  /// row longer). Shard s runs on its own network (shard 0 on ``network``) with its loss's
  /// gradient scaled by rows_s/rows, so the sum of the shards' gradients, taken in shard order
  /// into ``network``'s, is the gradient of the batch mean; the loss is Σ loss_s·rows_s/rows in
  /// Double. Up to ``threads`` shards run at once; the sum's order does not depend on it.
  private func lossAndGradients(rows: Int) -> Float {
    let shards = min(configuration.shards, rows)
    if shards <= 1 {
      // One pass, in the order every earlier version used (regularization before backward), so
      // existing trials rerun to the same bits.
      network.zeroGradients()
      let output = network.forward(inputs.pointer, batchSize: rows)
      var loss = lossAndGradient(
        output: output, first: 0, rows: rows, gradient: outputGradient.pointer)
      loss += regularization()
      guard loss.isFinite else { return loss }
      network.backward(outputGradient: outputGradient.pointer)
      return loss
    }
    let kan = network as? KAN
    kan?.prepareCombinedWeights(shards: shardNetworks, parts: threads)
    defer { kan?.releaseCombinedWeights(shards: shardNetworks) }
    if threads > 1 {
      // Each iteration touches its own shard's network, rows and loss slot only.
      nonisolated(unsafe) let trainer = self
      DispatchQueue.concurrentPerform(iterations: shards) {
        trainer.runShard($0, of: shards, rows: rows)
      }
    } else {
      for shard in 0..<shards { runShard(shard, of: shards, rows: rows) }
    }
    var total = 0.0
    for shard in 0..<shards {
      total +=
        Double(shardLosses[shard]) * Double(Self.shardRange(shard, of: shards, rows: rows).count)
        / Double(rows)
    }
    // Each gradient element sums the shards in shard order, whatever range it falls in.
    let sum = network.gradients.pointer
    inParallel(count: network.gradients.count) { range in
      for shard in 1..<shards {
        let source = shardNetworks[shard - 1].gradients.pointer
        for index in range { sum[index] += source[index] }
      }
    }
    let loss = Float(total)
    guard loss.isFinite else { return loss }
    return loss + regularization()
  }

  /// Runs `body` on 0..<count: in one call, or with ``threads`` > 1 and shards, split into
  /// `threads` contiguous ranges at once (for elementwise work whose elements are independent,
  /// so the bits do not depend on the split).
  private func inParallel(count: Int, _ body: (Range<Int>) -> Void) {
    let parts = configuration.shards > 1 ? min(threads, max(1, count / 4096)) : 1
    guard parts > 1 else { return body(0..<count) }
    nonisolated(unsafe) let work = body
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      work((part * count / parts)..<((part + 1) * count / parts))
    }
  }

  /// Rows first..<first + count of shard `shard` of `shards`: contiguous, the first rows % shards
  /// shards one row longer.
  static func shardRange(_ shard: Int, of shards: Int, rows: Int) -> (first: Int, count: Int) {
    let (base, extra) = (rows / shards, rows % shards)
    return (shard * base + min(shard, extra), base + (shard < extra ? 1 : 0))
  }

  /// Forward, loss and backward of one shard on its network (shard 0 on ``network``), its loss
  /// gradient scaled by rows_s/rows; leaves its loss in `shardLosses`.
  private func runShard(_ shard: Int, of shards: Int, rows: Int) {
    let (first, count) = Self.shardRange(shard, of: shards, rows: rows)
    let (inputWidth, outputWidth) = (data.inputWidth, data.outputWidth)
    let net = shard == 0 ? network : shardNetworks[shard - 1]
    net.zeroGradients()
    let output = net.forward(inputs.pointer + first * inputWidth, batchSize: count)
    let gradient = outputGradient.pointer + first * outputWidth
    shardLosses[shard] = lossAndGradient(
      output: output, first: first, rows: count, gradient: gradient)
    let weight = Float(count) / Float(rows)
    for index in 0..<(count * outputWidth) { gradient[index] *= weight }
    net.backward(outputGradient: gradient)
  }

  /// efficient-kan's regularization loss of the KAN (0 for other networks or weights of 0),
  /// its gradient added into ``network``'s gradients.
  private func regularization() -> Float {
    guard configuration.regularizeActivation > 0 || configuration.regularizeEntropy > 0,
      let kan = network as? KAN
    else { return 0 }
    return kan.regularizationLoss(
      activation: configuration.regularizeActivation, entropy: configuration.regularizeEntropy,
      accumulateGradients: true)
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

  /// The mean loss of batch rows first..<first + rows (whose outputs are `output`), and its
  /// gradient.
  private func lossAndGradient(
    output: UnsafePointer<Float>, first: Int, rows: Int, gradient: UnsafeMutablePointer<Float>?
  ) -> Float {
    if data.isClassification {
      return labels.withUnsafeBufferPointer { labelPointer in
        SoftmaxCrossEntropy.loss(
          logits: output, labels: labelPointer.start("Trainer") + first, batchSize: rows,
          classes: data.outputWidth, gradient: gradient)
      }
    }
    return MeanSquaredError.loss(
      predictions: output, targets: targets.pointer + first * data.outputWidth,
      count: rows * data.outputWidth, gradient: gradient)
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
