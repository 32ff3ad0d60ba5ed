import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Downloads the four gzipped IDX files of a data set from a mirror into a folder.
///
/// Concretely, for each of `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
/// `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`:
/// ```
/// present in the folder with the published SHA-256?  → skip (fetching again is cheap)
/// GET mirror + name → inflate → SHA-256 must match → write .<name>.<pid>.partial → rename
/// ```
/// Nothing is written before the checksum has matched and the rename is atomic, so an interrupted
/// or bad download never replaces a good file. A file that is already present but damaged is
/// replaced (or, when the good copy is stored under the other name, raw versus `.gz`, removed
/// once the good copy is in place so that ``DatasetLocator`` cannot pick it up).
public enum DatasetFetcher {
  /// The mirror used when none is given.
  public static func defaultMirror(for name: ImageDatasetName) -> String {
    switch name {
    case .mnist: return "https://ossci-datasets.s3.amazonaws.com/mnist/"
    case .fashionMNIST: return "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    }
  }

  /// The folder used when none is given: `<workingDirectory>/data/<folder>`, one of the places
  /// ``DatasetLocator`` searches.
  public static func defaultDirectory(
    for name: ImageDatasetName,
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) -> String {
    DatasetLocator.resolve("data/" + name.folderName, against: workingDirectory)
  }

  /// Downloads the files of `name` that are missing or damaged in `directory` (default
  /// ``defaultDirectory(for:workingDirectory:)``) from `mirror` (default
  /// ``defaultMirror(for:)``), reporting each step to `progress`; returns the folder.
  @discardableResult
  public static func fetch(
    _ name: ImageDatasetName, mirror: String? = nil, into directory: String? = nil,
    workingDirectory: String = FileManager.default.currentDirectoryPath,
    progress: (String) -> Void = { _ in }
  ) throws(DatasetError) -> String {
    try fetch(
      name, mirror: mirror ?? defaultMirror(for: name),
      into: directory.map { DatasetLocator.resolve($0, against: workingDirectory) }
        ?? defaultDirectory(for: name, workingDirectory: workingDirectory),
      checksums: name.publishedChecksums, timeout: 60, progress: progress)
  }

  /// ``fetch(_:mirror:into:workingDirectory:progress:)`` with the checksum table and request
  /// timeout given, for tests.
  static func fetch(
    _ name: ImageDatasetName, mirror: String, into directory: String,
    checksums: [ImageDataset.File: String], timeout: TimeInterval,
    progress: (String) -> Void
  ) throws(DatasetError) -> String {
    let base = try validatedMirror(mirror)
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw .io(path: directory, reason: "cannot create the folder (\(error.localizedDescription))")
    }
    let downloader = Downloader(timeout: timeout)
    defer { downloader.invalidate() }
    progress("Fetching \(name.rawValue) from \(base) into \(directory)")
    for file in ImageDataset.File.allCases {
      guard let expected = checksums[file] else {
        preconditionFailure("DatasetFetcher: no checksum for \(file.rawValue)")
      }
      let existing = existingFile(file, in: directory)
      if let existing, (try? checksum(of: existing)) == expected {
        progress("  \(file.rawValue): already present with the right checksum, skipped")
        continue
      }
      if let existing {
        progress("  \(existing): damaged or unreadable, downloading it again")
      }
      let url = base + file.rawValue + ".gz"
      progress("  \(file.rawValue).gz: downloading \(url)")
      let bytes = try downloader.download(url)
      let actual = IDXFile.sha256(try Gzip.decompress(bytes, path: url))
      guard actual == expected else {
        throw .downloadChecksumMismatch(url: url, expected: expected, actual: actual)
      }
      // A server that sends Content-Encoding: gzip gets its bytes inflated by URLSession.
      let target = directory + "/" + file.rawValue + (Gzip.isCompressed(bytes) ? ".gz" : "")
      try writeAtomically(bytes, to: target)
      if let existing, existing != target {
        try? FileManager.default.removeItem(atPath: existing)
        progress("  removed the damaged \(existing)")
      }
      progress("  \(file.rawValue): saved \(target) (\(bytes.count) bytes, SHA-256 verified)")
    }
    return directory
  }

  /// `mirror` with a trailing slash, or an error when it is not an http(s) URL.
  private static func validatedMirror(_ mirror: String) throws(DatasetError) -> String {
    guard let url = URL(string: mirror), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https", url.host?.isEmpty == false
    else { throw .invalidMirror(url: mirror) }
    return mirror.hasSuffix("/") ? mirror : mirror + "/"
  }

  /// The copy of `file` the locator would read (raw first, then `.gz`), if any.
  private static func existingFile(_ file: ImageDataset.File, in directory: String) -> String? {
    let raw = directory + "/" + file.rawValue
    return [raw, raw + ".gz"].first { FileManager.default.fileExists(atPath: $0) }
  }

  private static func checksum(of path: String) throws(DatasetError) -> String {
    IDXFile.sha256(try IDXFile.decompressedContents(of: path))
  }

  /// Writes `bytes` to a temporary file next to `path`, then renames it over `path`.
  private static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DatasetError) {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial")
    do {
      try Data(bytes).write(to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw .io(
        path: temporary.path, reason: "cannot write the file (\(error.localizedDescription))")
    }
    guard rename(temporary.path, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw .io(path: path, reason: "cannot move the downloaded file into place (\(reason))")
    }
  }
}

extension DatasetFetcher {
  /// Blocking HTTP GETs over one ephemeral `URLSession` (no cache, no cookies).
  fileprivate struct Downloader {
    private let session: URLSession

    init(timeout: TimeInterval) {
      let configuration = URLSessionConfiguration.ephemeral
      configuration.timeoutIntervalForRequest = timeout
      configuration.timeoutIntervalForResource = 3600
      configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
      session = URLSession(configuration: configuration)
    }

    func invalidate() { session.finishTasksAndInvalidate() }

    /// The body of a successful (2xx) response to GET `address`.
    func download(_ address: String) throws(DatasetError) -> [UInt8] {
      guard let url = URL(string: address) else { throw .invalidMirror(url: address) }
      let semaphore = DispatchSemaphore(value: 0)
      let box = ResponseBox()
      let task = session.dataTask(with: url) { data, response, error in
        box.store(data: data, response: response, error: error)
        semaphore.signal()
      }
      task.resume()
      semaphore.wait()
      let (data, response, error) = box.contents
      if let error {
        throw .downloadFailed(url: address, status: nil, reason: error.localizedDescription)
      }
      guard let http = response as? HTTPURLResponse else {
        throw .downloadFailed(url: address, status: nil, reason: "no HTTP response")
      }
      guard (200..<300).contains(http.statusCode) else {
        throw .downloadFailed(
          url: address, status: http.statusCode,
          reason: HTTPURLResponse.localizedString(forStatusCode: http.statusCode))
      }
      return [UInt8](data ?? Data())
    }
  }

  /// Hands a completion handler's results to the waiting thread.
  private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: URLResponse?
    private var error: (any Error)?

    func store(data: Data?, response: URLResponse?, error: (any Error)?) {
      lock.withLock {
        self.data = data
        self.response = response
        self.error = error
      }
    }

    var contents: (Data?, URLResponse?, (any Error)?) {
      lock.withLock { (data, response, error) }
    }
  }
}
