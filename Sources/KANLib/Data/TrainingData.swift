/// A dataset ready for training: fills batches of inputs and labels (or targets) on demand.
///
/// Image sets keep their bytes and normalize per batch (eight pixels at a time with the
/// normalization's own Float operations; a 256-entry table for the rest, the same bits).
public struct TrainingData: Sendable {
  /// Which split of the data.
  public enum Split: Sendable {
    /// The training split.
    case train
    /// The test split.
    case test
  }

  enum Storage: Sendable {
    case images(ImageDataset, table: [Float], normalization: Normalization)
    case synthetic(SyntheticTask)
  }

  let storage: Storage
  /// The dataset's name.
  public let name: DatasetName
  /// Samples used from the training split.
  public let trainCount: Int
  /// Samples used from the test split.
  public let testCount: Int

  /// Image data, optionally limited to the first `trainLimit` / `testLimit` samples.
  public init(
    images: ImageDataset, normalization: Normalization, trainLimit: Int? = nil,
    testLimit: Int? = nil
  ) {
    storage = .images(images, table: normalization.table, normalization: normalization)
    name = images.name == .mnist ? .mnist : .fashionMNIST
    trainCount = min(images.trainCount, trainLimit ?? images.trainCount)
    testCount = min(images.testCount, testLimit ?? images.testCount)
  }

  /// A synthetic task.
  public init(synthetic task: SyntheticTask) {
    storage = .synthetic(task)
    name = task.name
    trainCount = task.trainTargets.count
    testCount = task.testTargets.count
  }

  /// The width of one input row.
  public var inputWidth: Int {
    switch storage {
    case .images(let images, _, _): return images.rows * images.columns
    case .synthetic(let task): return SyntheticTask.inputWidth(of: task.name)
    }
  }

  /// The network's output width: classes, or 1 for regression.
  public var outputWidth: Int {
    switch storage {
    case .images(let images, _, _): return images.classCount
    case .synthetic: return 1
    }
  }

  /// Whether the task is classification.
  public var isClassification: Bool { name.isClassification }

  /// Samples in `split`.
  public func count(_ split: Split) -> Int {
    split == .train ? trainCount : testCount
  }

  /// Writes the rows `indices` of `split` into `inputs` [indices.count, inputWidth] and their
  /// labels into `labels` (classification) or targets into `targets` (regression).
  public func fill(
    _ split: Split, indices: UnsafeBufferPointer<Int32>, inputs: UnsafeMutablePointer<Float>,
    labels: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Float>
  ) {
    let width = inputWidth
    switch storage {
    case .images(let images, let table, let normalization):
      let pixels = split == .train ? images.trainImages : images.testImages
      let classes = split == .train ? images.trainLabels : images.testLabels
      pixels.withUnsafeBufferPointer { source in
        table.withUnsafeBufferPointer { lookup in
          let bytes = source.start("TrainingData.fill")
          for (row, index) in indices.enumerated() {
            let start = Int(index) &* width
            let target = inputs + row &* width
            // Eight pixels at a time with the table's own operations (byte/255, then the
            // normalization), so the same bits as the table; the tail through the table.
            var column = 0
            while column &+ 8 <= width {
              let raw = UnsafeRawPointer(bytes + (start &+ column)).loadUnaligned(
                as: SIMD8<UInt8>.self)
              let unit = SIMD8<Float>(raw) / SIMD8(repeating: 255)
              UnsafeMutableRawPointer(target + column).storeBytes(
                of: normalization.normalize(unit), as: SIMD8<Float>.self)
              column &+= 8
            }
            while column < width {
              target[column] = lookup[Int(bytes[start &+ column])]
              column &+= 1
            }
            labels[row] = Int32(classes[Int(index)])
          }
        }
      }
    case .synthetic(let task):
      let source = split == .train ? task.trainInputs : task.testInputs
      let values = split == .train ? task.trainTargets : task.testTargets
      for (row, index) in indices.enumerated() {
        for column in 0..<width {
          inputs[row * width + column] = source[Int(index) * width + column]
        }
        targets[row] = values[Int(index)]
      }
    }
  }
}
