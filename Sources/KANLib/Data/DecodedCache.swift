import Foundation

/// Decoded (inflated) data set files kept on disk, named by their published SHA-256, so a
/// process that verified a file once spares every later process the inflating.
///
/// Concretely: `<folder>/<sha256>.idx` holds the decompressed bytes of a file whose SHA-256 is
/// `sha256`. A hit is used only if its own SHA-256 still matches (hashing 55 MB takes a few
/// hundredths of a second; inflating it takes ten times that). Files are written to a temporary
/// name and renamed, so concurrent workers never read half a file; a folder that cannot be
/// written is no error (the cache is skipped). The folder is `$KAN_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/kan-sweep`, else `~/.cache/kan-sweep`; `KAN_CACHE_DIR=off` disables it.
public enum DecodedCache {
  /// The environment variable naming the cache folder (`off` disables the cache).
  public static let environmentVariable = "KAN_CACHE_DIR"

  /// The cache folder for `environment`, or nil when the cache is off.
  public static func folder(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String? {
    if let folder = environment[environmentVariable], !folder.isEmpty {
      return folder == "off" ? nil : folder
    }
    if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/kan-sweep" }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home + "/.cache/kan-sweep"
  }

  /// The cached bytes whose SHA-256 is `sha256`, if the cache holds them intact.
  static func bytes(sha256: String, folder: String?) -> [UInt8]? {
    guard let folder,
      let data = FileManager.default.contents(atPath: "\(folder)/\(sha256).idx")
    else { return nil }
    let bytes = [UInt8](data)
    return IDXFile.sha256(bytes) == sha256 ? bytes : nil
  }

  /// Stores verified `bytes` under `sha256` (best effort).
  static func store(_ bytes: [UInt8], sha256: String, folder: String?) {
    guard let folder else { return }
    let manager = FileManager.default
    do {
      try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
      let temporary = "\(folder)/.\(sha256).\(ProcessInfo.processInfo.processIdentifier).partial"
      try Data(bytes).write(to: URL(fileURLWithPath: temporary))
      let target = "\(folder)/\(sha256).idx"
      if rename(temporary, target) != 0 { try? manager.removeItem(atPath: temporary) }
    } catch {
      return
    }
  }
}
