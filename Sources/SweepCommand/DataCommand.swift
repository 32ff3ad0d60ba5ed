import ArgumentParser
import Foundation
import KANLib

/// `sweep data`: get the MNIST and Fashion-MNIST data sets.
struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Download the MNIST and Fashion-MNIST data sets.",
    subcommands: [Fetch.self])

  /// `sweep data fetch mnist|fashion_mnist [--mirror URL] [--to DIR]`.
  struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Download the four IDX files of a data set and verify their SHA-256.",
      discussion: """
        Files already present with the right checksum are skipped, so the command can be run \
        again after an interruption. Each file is checked before it is moved into place; a bad \
        download never replaces a good file. The default folder, ./data/<mnist|fashion-mnist>, \
        is one of the places `sweep train` searches.
        """)

    @Argument(
      help: "The data set: mnist or fashion_mnist.",
      completion: .list(ImageDatasetName.allCases.map(\.rawValue)))
    var dataset: String

    @Option(
      help: ArgumentHelp(
        "Base URL of a mirror holding the .gz files (default: the data set's own).",
        valueName: "url"))
    var mirror: String?

    @Option(
      name: .customLong("to"),
      help: ArgumentHelp(
        "Folder to download into (default: ./data/mnist or ./data/fashion-mnist).",
        valueName: "directory"))
    var directory: String?

    /// The data set named by the argument; `fashion-mnist` is accepted too.
    var name: ImageDatasetName? {
      ImageDatasetName.allCases.first { $0.rawValue == dataset || $0.folderName == dataset }
    }

    func validate() throws {
      guard name != nil else {
        let names = ImageDatasetName.allCases.map(\.rawValue).joined(separator: ", ")
        throw ValidationError("unknown data set '\(dataset)'; expected one of: \(names)")
      }
    }

    func run() throws {
      guard let name else { throw ValidationError("unknown data set '\(dataset)'") }
      do {
        let folder = try DatasetFetcher.fetch(name, mirror: mirror, into: directory) { line in
          print(line)
          fflush(nil)
        }
        print("Done: \(name.rawValue) is in \(folder)")
      } catch {
        FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
        throw ExitCode.failure
      }
    }
  }
}
