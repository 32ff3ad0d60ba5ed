import Foundation

/// `python3 -m http.server` bound to 127.0.0.1 on a free port, serving one folder; for download
/// tests that must not touch the network. Call ``stop()`` when done.
final class DatasetLoopbackServer {
  struct StartError: Error, CustomStringConvertible {
    let output: String
    var description: String {
      "python3 -m http.server did not report its port; it printed: \(output)"
    }
  }

  private let process = Process()
  /// The port the server listens on.
  let port: Int

  /// The server's root URL, with a trailing slash.
  var baseURL: String { "http://127.0.0.1:\(port)/" }

  /// Starts serving `directory` and waits for the line announcing the port.
  init(directory: String) throws {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory,
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
    var text = ""
    while !text.contains("\n") {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      text += String(decoding: chunk, as: UTF8.self)
    }
    guard let match = text.firstMatch(of: /port (\d+)/), let port = Int(match.1) else {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      throw StartError(output: text)
    }
    self.port = port
  }

  /// Ends the server process and waits for it.
  ///
  /// SIGKILL, because a child started from a Dispatch worker thread inherits its blocked signal
  /// mask, SIGTERM included, so `terminate()` would leave the server running.
  func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }
}
