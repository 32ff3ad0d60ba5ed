import Foundation
import KANLib

/// Prints training progress: a redrawn bar on a terminal, a few plain lines otherwise.
final class ProgressPrinter: TrainingObserver {
  let interactive: Bool
  let reportsPerEpoch: Int
  let totalEpochs: Int
  let quiet: Bool
  private var epochStart = Date()

  init(interactive: Bool, reportsPerEpoch: Int, totalEpochs: Int, quiet: Bool) {
    self.interactive = interactive
    self.reportsPerEpoch = reportsPerEpoch
    self.totalEpochs = totalEpochs
    self.quiet = quiet
  }

  func line(_ text: String) {
    guard !quiet else { return }
    print(text)
    fflush(nil)
  }

  func trainer(
    didFinishBatch batch: Int, of batchCount: Int, epoch: Int, loss: Float, samplesPerSecond: Double
  ) {
    guard !quiet else { return }
    if interactive {
      if batch == 1 { epochStart = Date() }
      let elapsed = Date().timeIntervalSince(epochStart)
      let eta = batch > 0 ? elapsed * Double(batchCount - batch) / Double(batch) : 0
      let width = 30
      let filled = width * batch / max(1, batchCount)
      let bar =
        String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      print(
        "\r epoch \(epoch)/\(totalEpochs) [\(bar)] \(batch)/\(batchCount) "
          + String(format: "loss %.4f %.0f samples/s ETA %.0fs ", loss, samplesPerSecond, eta),
        terminator: "")
      fflush(nil)
    } else {
      let interval = max(1, batchCount / reportsPerEpoch)
      if batch % interval == 0 || batch == batchCount {
        line(
          String(
            format: "epoch %d/%d batch %d/%d loss %.4f %.0f samples/s", epoch, totalEpochs, batch,
            batchCount, loss, samplesPerSecond))
      }
    }
  }

  func trainer(didFinishEpoch metrics: EpochMetrics) {
    guard !quiet else { return }
    if interactive { print("\r\u{1B}[K", terminator: "") }
    var text = String(
      format: "epoch %d/%d train_loss %.4f test_loss %.4f", metrics.epoch, totalEpochs,
      metrics.trainLoss, metrics.testLoss)
    if let accuracy = metrics.testAccuracy {
      text += String(format: " test_accuracy %.4f", accuracy)
    }
    if let rmse = metrics.testRMSE { text += String(format: " test_rmse %.5f", rmse) }
    text += String(format: " %.2fs %.0f samples/s", metrics.seconds, metrics.samplesPerSecond)
    line(text)
  }
}
