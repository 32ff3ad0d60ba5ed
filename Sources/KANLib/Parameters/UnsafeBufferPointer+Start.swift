extension UnsafeBufferPointer {
  /// The address of the first element. The buffer must not be empty (a programmer error:
  /// callers pass buffers they sized themselves); `use` names the caller in the message.
  public func start(_ use: StaticString) -> UnsafePointer<Element> {
    guard let baseAddress else { preconditionFailure("\(use): empty buffer") }
    return baseAddress
  }
}

extension UnsafeMutableBufferPointer {
  /// The address of the first element. The buffer must not be empty (a programmer error:
  /// callers pass buffers they sized themselves); `use` names the caller in the message.
  public func start(_ use: StaticString) -> UnsafeMutablePointer<Element> {
    guard let baseAddress else { preconditionFailure("\(use): empty buffer") }
    return baseAddress
  }
}
