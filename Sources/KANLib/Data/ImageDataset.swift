/// The image classification data sets kan-sweep can train on.
public enum ImageDatasetName: String, Sendable, CaseIterable, Codable {
  /// MNIST handwritten digits (LeCun, Cortes and Burges, 1998).
  case mnist
  /// Fashion-MNIST clothing images (Xiao, Rasul and Vollgraf, 2017), a drop-in MNIST replacement.
  case fashionMNIST = "fashion_mnist"

  /// The folder the four files live in under a data directory: "mnist" or "fashion-mnist".
  public var folderName: String {
    switch self {
    case .mnist: return "mnist"
    case .fashionMNIST: return "fashion-mnist"
    }
  }

  /// The published SHA-256 of each decompressed file.
  var publishedChecksums: [ImageDataset.File: String] {
    switch self {
    case .mnist:
      return [
        .trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        .trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        .testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        .testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
      ]
    case .fashionMNIST:
      return [
        .trainImages: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        .trainLabels: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        .testImages: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        .testLabels: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
      ]
    }
  }
}

/// A loaded MNIST-style data set: training and test images with their class labels.
///
/// Concretely:
/// ```
/// trainImages: [trainCount, rows, columns] UInt8, row-major, 0 = background
/// trainLabels: [trainCount] UInt8 in 0..<classCount
/// testImages:  [testCount, rows, columns],  testLabels: [testCount]
/// ```
/// The bytes are exactly those of the IDX files; scaling to `Float` is the caller's business.
public struct ImageDataset: Sendable {
  /// The four files of a data set, by their standard names without `.gz`.
  enum File: String, Sendable, CaseIterable {
    case trainImages = "train-images-idx3-ubyte"
    case trainLabels = "train-labels-idx1-ubyte"
    case testImages = "t10k-images-idx3-ubyte"
    case testLabels = "t10k-labels-idx1-ubyte"

    /// The IDX rank: 3 for images, 1 for labels.
    var rank: Int {
      switch self {
      case .trainImages, .testImages: return 3
      case .trainLabels, .testLabels: return 1
      }
    }
  }

  /// Which data set this is.
  public let name: ImageDatasetName
  /// Image height in pixels (28 for MNIST and Fashion-MNIST).
  public let rows: Int
  /// Image width in pixels (28 for MNIST and Fashion-MNIST).
  public let columns: Int
  /// `trainCount × rows × columns` pixel bytes, row-major.
  public let trainImages: [UInt8]
  /// `trainCount` class indices.
  public let trainLabels: [UInt8]
  /// `testCount × rows × columns` pixel bytes, row-major.
  public let testImages: [UInt8]
  /// `testCount` class indices.
  public let testLabels: [UInt8]
  /// The folder the files were read from.
  public let directory: String

  /// The number of training images (60000 for MNIST and Fashion-MNIST).
  public var trainCount: Int { trainLabels.count }
  /// The number of test images (10000 for MNIST and Fashion-MNIST).
  public var testCount: Int { testLabels.count }
  /// The number of classes: 10.
  public var classCount: Int { Self.classCount }

  static let classCount = 10

  /// Reads and checks the four files at `paths`; `checksums` (when not nil) are the expected
  /// SHA-256 of the decompressed files, and verified gzipped files go through the
  /// ``DecodedCache`` in `cacheFolder`.
  init(
    name: ImageDatasetName, directory: String, paths: [File: String],
    checksums: [File: String]?, cacheFolder: String? = nil
  ) throws(DatasetError) {
    func read(_ file: File) throws(DatasetError) -> IDXFile {
      try IDXFile.read(
        path: paths[file] ?? directory + "/" + file.rawValue, expectedRank: file.rank,
        expectedSHA256: checksums?[file], cacheFolder: cacheFolder)
    }
    let trainImages = try read(.trainImages)
    let trainLabels = try read(.trainLabels)
    let testImages = try read(.testImages)
    let testLabels = try read(.testLabels)
    for (images, labels) in [(trainImages, trainLabels), (testImages, testLabels)] {
      guard images.itemCount == labels.itemCount else {
        throw .countMismatch(
          imagesPath: images.path, imageCount: images.itemCount,
          labelsPath: labels.path, labelCount: labels.itemCount)
      }
      try Self.checkLabels(labels)
    }
    guard trainImages.dimensions.dropFirst() == testImages.dimensions.dropFirst() else {
      throw .imageSizeMismatch(
        trainPath: trainImages.path, trainSize: Array(trainImages.dimensions.dropFirst()),
        testPath: testImages.path, testSize: Array(testImages.dimensions.dropFirst()))
    }
    self.name = name
    self.rows = trainImages.dimensions[1]
    self.columns = trainImages.dimensions[2]
    self.trainImages = trainImages.payload
    self.trainLabels = trainLabels.payload
    self.testImages = testImages.payload
    self.testLabels = testLabels.payload
    self.directory = directory
  }

  private static func checkLabels(_ labels: IDXFile) throws(DatasetError) {
    let limit = UInt8(classCount)
    let badIndex = labels.payload.withUnsafeBufferPointer { buffer in
      buffer.firstIndex { $0 >= limit }
    }
    if let badIndex {
      throw .invalidLabel(
        path: labels.path, index: badIndex, value: Int(labels.payload[badIndex]),
        classCount: classCount)
    }
  }
}
