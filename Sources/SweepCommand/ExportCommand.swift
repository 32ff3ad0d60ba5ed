import ArgumentParser
import Foundation
import Sweep

/// `sweep export`: copy sweeps from a (PostgreSQL) store into a local SQLite file.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Copy sweeps from a store (e.g. PostgreSQL) into a SQLite file, for reports on a laptop.")

  @OptionGroup var store: StoreOptions
  @Option(help: "The SQLite file to write (created if needed; a sweep already in it is replaced).")
  var to: String
  @Option(help: "Sweeps to copy (repeatable; default: every sweep).")
  var sweep: [String] = []

  func run() throws {
    let source = try store.open(readOnly: true)
    let target: SweepStore
    do {
      target = try SweepStore(path: to)
    } catch {
      throw CommandFailure(error.description)
    }
    let names = sweep.isEmpty ? try source.sweeps().map(\.name) : sweep
    for name in names {
      do {
        let count = try target.importSweep(named: name, from: source)
        print("exported \(name): \(count) trials → \(to)")
      } catch {
        throw CommandFailure(error.description)
      }
    }
  }
}
