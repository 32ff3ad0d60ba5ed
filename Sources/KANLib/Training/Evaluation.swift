/// Runs a network over one split of a dataset: loss, predictions, accuracy or RMSE.
public struct Evaluation {
  /// The network.
  public let network: Network
  /// The data.
  public let data: TrainingData
  /// The split evaluated.
  public let split: TrainingData.Split
  /// Rows per forward pass (fixed, so evaluation is reproducible).
  public var batchSize: Int
  /// The rows of `split` to evaluate (nil: all), e.g. a validation subset of the training split.
  public var rows: [Int32]?

  /// Creates an evaluation of `split` (the test split by default), of the given `rows` only
  /// when they are given.
  public init(
    network: Network, data: TrainingData, split: TrainingData.Split = .test, rows: [Int32]? = nil
  ) {
    self.network = network
    batchSize = network.evaluationBatchSize
    self.data = data
    self.split = split
    self.rows = rows
  }

  /// The outcome of ``run()``.
  public struct Result: Sendable {
    /// Predicted class per test sample (classification).
    public var predictions: [Int] = []
    /// The first rows of the network's output, [min(count, 256), outputWidth].
    public var firstOutputs: [Float] = []
    /// Correct predictions.
    public var correct = 0
    /// Test samples.
    public var total = 0
    /// correct / total.
    public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : 0 }
    /// Root-mean-square error (regression).
    public var rmse: Double = 0
    /// Mean loss: softmax cross-entropy (classification) or squared error (regression).
    public var loss: Double = 0
  }

  /// Evaluates the whole split.
  public func run() -> Result {
    var result = Result()
    let indices = self.rows ?? (0..<Int32(data.count(split))).map { $0 }
    let count = indices.count
    let width = data.inputWidth
    let outputs = data.outputWidth
    let inputs = FloatBuffer(count: batchSize * width)
    let targets = FloatBuffer(count: batchSize)
    var labels = [Int32](repeating: 0, count: batchSize)
    var squaredError = 0.0
    var lossSum = 0.0
    var first = 0
    while first < count {
      let rows = min(batchSize, count - first)
      indices.withUnsafeBufferPointer { all in
        labels.withUnsafeMutableBufferPointer { labelPointer in
          data.fill(
            split, indices: UnsafeBufferPointer(rebasing: all[first..<(first + rows)]),
            inputs: inputs.pointer, labels: labelPointer.start("Evaluation.run"),
            targets: targets.pointer)
        }
      }
      let output = network.forward(inputs.pointer, batchSize: rows)
      let keep = min(rows, 256 - first)
      if keep > 0 {
        result.firstOutputs += Array(UnsafeBufferPointer(start: output, count: keep * outputs))
      }
      if data.isClassification {
        let loss = labels.withUnsafeBufferPointer {
          SoftmaxCrossEntropy.loss(
            logits: output, labels: $0.start("Evaluation.run"), batchSize: rows,
            classes: outputs)
        }
        lossSum += Double(loss) * Double(rows)
        let predicted = SoftmaxCrossEntropy.predictions(
          logits: output, batchSize: rows, classes: outputs)
        for row in 0..<rows where predicted[row] == Int(labels[row]) { result.correct += 1 }
        result.predictions += predicted
      } else {
        for row in 0..<rows {
          let difference = Double(output[row * outputs]) - Double(targets[row])
          squaredError += difference * difference
        }
      }
      first += rows
    }
    result.total = count
    let meanSquaredError = squaredError / Double(max(1, count * outputs))
    result.rmse = meanSquaredError.squareRoot()
    result.loss = data.isClassification ? lossSum / Double(max(1, count)) : meanSquaredError
    return result
  }
}
