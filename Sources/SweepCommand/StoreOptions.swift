import ArgumentParser
import Foundation
import Sweep

/// `--db PATH`, shared by every sweep command.
struct StoreOptions: ParsableArguments {
  @Option(help: "The SQLite store.")
  var db = "results/sweeps.sqlite"

  func open(readOnly: Bool = false) throws -> SweepStore {
    do {
      return try SweepStore.open(db, readOnly: readOnly)
    } catch {
      throw CommandFailure(error.description)
    }
  }
}

/// `SWEEP:N` on the command line.
struct TrialReference: ExpressibleByArgument {
  let sweep: String
  let number: Int

  init?(argument: String) {
    guard let colon = argument.lastIndex(of: ":"),
      let number = Int(argument[argument.index(after: colon)...]),
      number >= 0
    else { return nil }
    sweep = String(argument[..<colon])
    self.number = number
  }

  func resolve(in store: SweepStore) throws -> (SweepRecord, TrialRecord) {
    guard let record = try store.sweep(named: sweep) else {
      throw CommandFailure("\(store.location): no sweep named '\(sweep)'")
    }
    guard let trial = try store.trial(sweepID: record.id, number: number) else {
      throw CommandFailure("sweep '\(sweep)' has no trial \(number)")
    }
    return (record, trial)
  }
}

/// Loads an experiment file or exits with status 2 and the located message.
func loadExperiment(_ path: String) throws -> ExperimentFile {
  do {
    return try ExperimentFile.load(path: path)
  } catch {
    FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
    throw ExitCode(2)
  }
}
