/// Why an image data set could not be found, read, verified or downloaded.
///
/// Every case names the file or URL at fault; paths are as given to the loader or fetcher.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
  /// One folder the locator looked at and why it did not qualify.
  public struct SearchedDirectory: Sendable, Equatable {
    /// The folder.
    public let directory: String
    /// Where the folder came from (`--data-dir`, `KAN_DATA_DIR`, …).
    public let source: String
    /// Why it was not used ("no such directory", "missing t10k-labels-idx1-ubyte[.gz]").
    public let problem: String

    /// Creates a record of one searched folder.
    public init(directory: String, source: String, problem: String) {
      self.directory = directory
      self.source = source
      self.problem = problem
    }
  }

  /// No searched folder holds the four files of `dataset`.
  case notFound(dataset: ImageDatasetName, searched: [SearchedDirectory])
  /// A file could not be read or written.
  case io(path: String, reason: String)
  /// A `.gz` file is not valid gzip data.
  case corruptGzip(path: String, reason: String)
  /// An IDX header is malformed (magic, type, rank or a dimension).
  case invalidIDX(path: String, reason: String)
  /// The payload of an IDX file is shorter (`actual < expected`) or longer than its header says.
  case payloadLength(path: String, dimensions: [Int], expected: Int, actual: Int)
  /// A label is not a class index `0..<classCount`.
  case invalidLabel(path: String, index: Int, value: Int, classCount: Int)
  /// The image and label files of one split hold different numbers of items.
  case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
  /// The training and test images have different sizes.
  case imageSizeMismatch(
    trainPath: String, trainSize: [Int], testPath: String, testSize: [Int])
  /// The SHA-256 of a (decompressed) file is not the published one.
  case checksumMismatch(path: String, expected: String, actual: String)
  /// A mirror URL is not an absolute `http` or `https` URL.
  case invalidMirror(url: String)
  /// A download failed; `status` is the HTTP status when the server answered.
  case downloadFailed(url: String, status: Int?, reason: String)
  /// A downloaded file decompressed to bytes with an unexpected SHA-256.
  case downloadChecksumMismatch(url: String, expected: String, actual: String)

  /// A message naming the file and what is wrong, and what to do about it where that is clear.
  public var description: String {
    switch self {
    case .notFound(let dataset, let searched):
      return Self.notFoundMessage(dataset: dataset, searched: searched)
    case .io(let path, let reason):
      return "\(path): \(reason)"
    case .corruptGzip(let path, let reason):
      return "\(path): corrupt gzip data: \(reason)"
    case .invalidIDX(let path, let reason):
      return "\(path): not a valid IDX file: \(reason)"
    case .payloadLength(let path, let dimensions, let expected, let actual):
      let shape = dimensions.map(String.init).joined(separator: "×")
      let what = dimensions.count == 1 ? "labels" : "pixels"
      let header = "header says \(shape) = \(expected) bytes of \(what)"
      return actual < expected
        ? "\(path): truncated: \(header), file has \(actual)"
        : "\(path): trailing bytes: \(header), file has \(actual) (\(actual - expected) extra)"
    case .invalidLabel(let path, let index, let value, let classCount):
      return "\(path): label \(index) is \(value), expected a class in 0..<\(classCount)"
    case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
      return
        "\(imagesPath) holds \(imageCount) images but \(labelsPath) holds \(labelCount) labels"
    case .imageSizeMismatch(let trainPath, let trainSize, let testPath, let testSize):
      let train = trainSize.map(String.init).joined(separator: "×")
      let test = testSize.map(String.init).joined(separator: "×")
      return "\(trainPath) has \(train) images but \(testPath) has \(test) images"
    case .checksumMismatch(let path, let expected, let actual):
      return
        "\(path): SHA-256 of the decompressed file is \(actual), expected \(expected); the file "
        + "is damaged or a different release. Fetch it again (`sweep data fetch`), or pass "
        + "--no-verify to use it anyway"
    case .invalidMirror(let url):
      return "\(url): not a valid mirror URL (expected an absolute http:// or https:// URL)"
    case .downloadFailed(let url, let status, let reason):
      let statusText = status.map { "HTTP \($0): " } ?? ""
      return "\(url): download failed: \(statusText)\(reason)"
    case .downloadChecksumMismatch(let url, let expected, let actual):
      return
        "\(url): downloaded file has SHA-256 \(actual) after decompression, expected "
        + "\(expected); nothing was replaced. Try again or use another --mirror"
    }
  }

  private static func notFoundMessage(
    dataset: ImageDatasetName, searched: [SearchedDirectory]
  ) -> String {
    var lines = ["\(dataset.rawValue): data set not found. Searched:"]
    for place in searched {
      lines.append("  \(place.directory) (\(place.source)): \(place.problem)")
    }
    let names = ImageDataset.File.allCases.map(\.rawValue).joined(separator: ", ")
    lines.append("A folder qualifies when it holds \(names) (each raw or as .gz).")
    lines.append("To get the data:")
    lines.append(
      "  sweep data fetch \(dataset.rawValue)   (downloads into ./data/\(dataset.folderName))")
    if dataset == .fashionMNIST {
      lines.append(
        "  apt-get install dataset-fashion-mnist   (Debian; installs /usr/share/datasets/fashion-mnist)"
      )
    }
    lines.append(
      "  or pass --data-dir DIR (the folder with the four files, or a parent holding "
        + "\(dataset.folderName)/), or set KAN_DATA_DIR to such a parent")
    return lines.joined(separator: "\n")
  }
}
