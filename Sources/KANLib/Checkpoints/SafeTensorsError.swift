/// Why a safetensors file could not be read or written.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
  /// The file could not be opened or written.
  case io(path: String, reason: String)
  /// The file ends before the part `what` (needing `needed` bytes, having `available`).
  case truncated(path: String, what: String, needed: Int, available: Int)
  /// The header is not a JSON object as safetensors specifies.
  case invalidHeader(path: String, reason: String)
  /// A tensor entry of the header is malformed.
  case invalidTensor(path: String, tensor: String, reason: String)
  /// A tensor asked for is not in the file.
  case missingTensor(path: String, tensor: String)

  /// A message naming the file and what is wrong.
  public var description: String {
    switch self {
    case .io(let path, let reason):
      return "\(path): \(reason)"
    case .truncated(let path, let what, let needed, let available):
      return
        "\(path): not a complete safetensors file: the \(what) needs \(needed) bytes but only "
        + "\(available) remain"
    case .invalidHeader(let path, let reason):
      return "\(path): invalid safetensors header: \(reason)"
    case .invalidTensor(let path, let tensor, let reason):
      return "\(path): tensor '\(tensor)': \(reason)"
    case .missingTensor(let path, let tensor):
      return "\(path): has no tensor named '\(tensor)'"
    }
  }
}
