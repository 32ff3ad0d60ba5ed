import Foundation

/// Finds the files of an image data set on disk and loads them.
///
/// Concretely, the folders tried, in order (the first holding all four files wins):
/// ```
/// 1. dataDirectory                      (--data-dir: the folder with the four files, or
///    dataDirectory/<folder>              a parent holding mnist/ and fashion-mnist/)
/// 2. $KAN_DATA_DIR/<folder>             (a parent folder)
/// 3. <workingDirectory>/data/<folder>   (where `sweep data fetch` puts them)
/// 4. /usr/share/datasets/<folder>       (Debian's dataset-fashion-mnist)
/// ```
/// `<folder>` is ``ImageDatasetName/folderName``. Each of the four standard files
/// (`train-images-idx3-ubyte`, …) may be raw or gzipped (`.gz`); when both exist the raw file is
/// read, since it needs no inflating and the checksum covers the decompressed bytes either way.
public enum DatasetLocator {
  /// Where Debian packages such as `dataset-fashion-mnist` install data sets.
  static let systemDatasetsDirectory = "/usr/share/datasets"

  /// The environment variable naming a parent folder of data sets.
  public static let environmentVariable = "KAN_DATA_DIR"

  /// Loads data set `name` from the first qualifying folder, checking the published SHA-256 of
  /// every decompressed file when `verify` is true.
  ///
  /// Relative `dataDirectory` paths are resolved against `workingDirectory`.
  public static func load(
    _ name: ImageDatasetName, dataDirectory: String?, verify: Bool,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) throws(DatasetError) -> ImageDataset {
    try load(
      name, dataDirectory: dataDirectory, checksums: verify ? name.publishedChecksums : nil,
      environment: environment, workingDirectory: workingDirectory,
      systemDirectory: systemDatasetsDirectory,
      cacheFolder: DecodedCache.folder(environment: environment))
  }

  /// ``load(_:dataDirectory:verify:environment:workingDirectory:)`` with the checksum table
  /// (nil: no verification) and the system folder given, for tests.
  static func load(
    _ name: ImageDatasetName, dataDirectory: String?, checksums: [ImageDataset.File: String]?,
    environment: [String: String], workingDirectory: String, systemDirectory: String,
    cacheFolder: String? = DecodedCache.folder()
  ) throws(DatasetError) -> ImageDataset {
    let (directory, paths) = try find(
      name, dataDirectory: dataDirectory, environment: environment,
      workingDirectory: workingDirectory, systemDirectory: systemDirectory)
    return try ImageDataset(
      name: name, directory: directory, paths: paths, checksums: checksums,
      cacheFolder: cacheFolder)
  }

  /// The first qualifying folder and its four files, or every folder tried and why not.
  static func find(
    _ name: ImageDatasetName, dataDirectory: String?, environment: [String: String],
    workingDirectory: String, systemDirectory: String
  ) throws(DatasetError) -> (directory: String, paths: [ImageDataset.File: String]) {
    var searched = [DatasetError.SearchedDirectory]()
    for candidate in candidates(
      for: name, dataDirectory: dataDirectory, environment: environment,
      workingDirectory: workingDirectory, systemDirectory: systemDirectory)
    {
      switch inspect(candidate.directory) {
      case .complete(let paths): return (candidate.directory, paths)
      case .unusable(let problem):
        searched.append(
          .init(directory: candidate.directory, source: candidate.source, problem: problem))
      }
    }
    throw .notFound(dataset: name, searched: searched)
  }

  /// The folder ``load(_:dataDirectory:verify:environment:workingDirectory:)`` would read
  /// `name` from, without reading it; throws ``DatasetError/notFound(dataset:searched:)`` with
  /// every folder tried otherwise (so a sweep can fail before anything is enqueued).
  public static func locate(
    _ name: ImageDatasetName, dataDirectory: String?,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) throws(DatasetError) -> String {
    try find(
      name, dataDirectory: dataDirectory, environment: environment,
      workingDirectory: workingDirectory, systemDirectory: systemDatasetsDirectory
    ).directory
  }

  /// The folders ``load(_:dataDirectory:verify:environment:workingDirectory:)`` tries, in order.
  public static func candidateDirectories(
    for name: ImageDatasetName, dataDirectory: String?,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) -> [String] {
    candidates(
      for: name, dataDirectory: dataDirectory, environment: environment,
      workingDirectory: workingDirectory, systemDirectory: systemDatasetsDirectory
    ).map(\.directory)
  }

  /// The candidate folders with where each came from, without duplicates.
  static func candidates(
    for name: ImageDatasetName, dataDirectory: String?, environment: [String: String],
    workingDirectory: String, systemDirectory: String
  ) -> [(directory: String, source: String)] {
    var result = [(directory: String, source: String)]()
    func add(_ path: String, _ source: String) {
      let absolute = resolve(path, against: workingDirectory)
      if !result.contains(where: { $0.directory == absolute }) {
        result.append((absolute, source))
      }
    }
    if let dataDirectory, !dataDirectory.isEmpty {
      add(dataDirectory, "--data-dir")
      add(dataDirectory + "/" + name.folderName, "--data-dir, parent folder")
    }
    if let parent = environment[environmentVariable], !parent.isEmpty {
      add(parent + "/" + name.folderName, environmentVariable)
    }
    add(workingDirectory + "/data/" + name.folderName, "working directory")
    add(systemDirectory + "/" + name.folderName, "system data sets, Debian package")
    return result
  }

  private enum Inspection {
    case complete([ImageDataset.File: String])
    case unusable(String)
  }

  /// The paths of the four files in `directory`, or why the folder does not qualify.
  private static func inspect(_ directory: String) -> Inspection {
    let fileManager = FileManager.default
    var isDirectory: ObjCBool = false
    guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      return .unusable("no such directory")
    }
    guard isDirectory.boolValue else { return .unusable("not a directory") }
    var paths = [ImageDataset.File: String]()
    var missing = [String]()
    for file in ImageDataset.File.allCases {
      let raw = directory + "/" + file.rawValue
      if fileManager.fileExists(atPath: raw) {
        paths[file] = raw
      } else if fileManager.fileExists(atPath: raw + ".gz") {
        paths[file] = raw + ".gz"
      } else {
        missing.append(file.rawValue + "[.gz]")
      }
    }
    if missing.isEmpty { return .complete(paths) }
    return .unusable("missing " + missing.joined(separator: ", "))
  }

  /// `path` made absolute (relative to `workingDirectory`, `~` expanded) and standardized.
  static func resolve(_ path: String, against workingDirectory: String) -> String {
    let expanded = NSString(string: path).expandingTildeInPath
    let url =
      expanded.hasPrefix("/")
      ? URL(fileURLWithPath: expanded)
      : URL(fileURLWithPath: workingDirectory).appendingPathComponent(expanded)
    return url.standardized.path
  }
}
