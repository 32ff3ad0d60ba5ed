/// What one epoch of training measured.
public struct EpochMetrics: Sendable, Codable, Equatable {
  /// The epoch, from 1.
  public var epoch: Int
  /// Mean training loss over the epoch's samples (before each step's update).
  public var trainLoss: Float
  /// Mean loss on the test split after the epoch.
  public var testLoss: Float
  /// Test accuracy in [0, 1] (classification).
  public var testAccuracy: Float?
  /// Test root-mean-square error (regression).
  public var testRMSE: Float?
  /// The learning rate used in the epoch.
  public var learningRate: Float
  /// Wall-clock seconds of the epoch's training steps (not part of the numerics).
  public var seconds: Double
  /// Training samples per second.
  public var samplesPerSecond: Double
  /// Mean loss on the validation split (when the run holds one out).
  public var validationLoss: Float?
  /// Validation accuracy (classification).
  public var validationAccuracy: Float?
  /// Validation RMSE (regression).
  public var validationRMSE: Float?

  /// Creates a record of one epoch.
  public init(
    epoch: Int, trainLoss: Float, testLoss: Float, testAccuracy: Float?, testRMSE: Float?,
    learningRate: Float, seconds: Double, samplesPerSecond: Double
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.testLoss = testLoss
    self.testAccuracy = testAccuracy
    self.testRMSE = testRMSE
    self.learningRate = learningRate
    self.seconds = seconds
    self.samplesPerSecond = samplesPerSecond
  }

  /// The metrics by their stored names (`train_loss`, `test_accuracy`, …), time excluded when
  /// `includeTiming` is false (timings never reproduce bit for bit).
  public func values(includeTiming: Bool = true) -> [(name: String, value: Double)] {
    var result: [(String, Double)] = [
      ("train_loss", Double(trainLoss)), ("test_loss", Double(testLoss)),
    ]
    if let testAccuracy { result.append(("test_accuracy", Double(testAccuracy))) }
    if let testRMSE { result.append(("test_rmse", Double(testRMSE))) }
    if let validationLoss { result.append(("val_loss", Double(validationLoss))) }
    if let validationAccuracy { result.append(("val_accuracy", Double(validationAccuracy))) }
    if let validationRMSE { result.append(("val_rmse", Double(validationRMSE))) }
    result.append(("learning_rate", Double(learningRate)))
    if includeTiming {
      result.append(("epoch_seconds", seconds))
      result.append(("samples_per_second", samplesPerSecond))
    }
    return result
  }
}

/// Receives progress from a ``Trainer``; every method has an empty default.
public protocol TrainingObserver: AnyObject {
  /// After each optimizer step.
  func trainer(
    didFinishBatch batch: Int, of batchCount: Int, epoch: Int, loss: Float, samplesPerSecond: Double
  )
  /// After each epoch's evaluation.
  func trainer(didFinishEpoch metrics: EpochMetrics)
  /// Asked after every batch: returning true stops the run with ``TrainingStatus/stopped(epoch:)``.
  func trainerShouldStop() -> Bool
  /// Asked after each epoch's evaluation (but the last): returning true ends the run there,
  /// with the network as it is after that epoch (``TrainingStatus/stoppedAfterEpoch(_:)``).
  func trainerShouldStop(afterEpoch metrics: EpochMetrics) -> Bool
}

extension TrainingObserver {
  /// Does nothing.
  public func trainer(
    didFinishBatch batch: Int, of batchCount: Int, epoch: Int, loss: Float, samplesPerSecond: Double
  ) {}
  /// Does nothing.
  public func trainer(didFinishEpoch metrics: EpochMetrics) {}
  /// Never stops.
  public func trainerShouldStop() -> Bool { false }
  /// Never stops.
  public func trainerShouldStop(afterEpoch metrics: EpochMetrics) -> Bool { false }
}

/// How a training run ended.
public enum TrainingStatus: Sendable, Equatable {
  /// Every epoch ran.
  case completed
  /// The loss became NaN or infinite at this epoch and batch; the run stopped there.
  case diverged(epoch: Int, batch: Int, loss: Float)
  /// The observer asked to stop during this epoch.
  case stopped(epoch: Int)
  /// The observer asked to stop after this epoch's evaluation (early termination): the network
  /// is as it was after that epoch.
  case stoppedAfterEpoch(Int)

  /// A one-line explanation.
  public var summary: String {
    switch self {
    case .completed: return "completed"
    case .diverged(let epoch, let batch, let loss):
      return "diverged: training loss became \(loss) at epoch \(epoch), batch \(batch)"
    case .stopped(let epoch):
      return "stopped on request during epoch \(epoch)"
    case .stoppedAfterEpoch(let epoch):
      return "stopped early after epoch \(epoch)"
    }
  }
}
