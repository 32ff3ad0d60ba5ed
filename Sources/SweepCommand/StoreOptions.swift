import ArgumentParser
import Foundation
import KANLib
import Sweep

/// `--db PATH-OR-URL`, shared by every command that touches a store.
struct StoreOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The store: a SQLite file, or postgres://user[:password]@host[:port]/database.",
      valueName: "path-or-url"))
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

/// Checks that every image data set `experiment` needs is found (without reading it), so a sweep
/// fails before anything is enqueued; exits with status 2 and every folder searched otherwise.
func requireDatasets(of experiment: ExperimentFile, dataDirectory: String?) throws {
  let needed = Set(
    try experiment.plannedTrials().compactMap { $0.configuration.dataset.imageDataset })
  for name in ImageDatasetName.allCases where needed.contains(name) {
    do {
      _ = try DatasetLocator.locate(name, dataDirectory: dataDirectory)
    } catch {
      FileHandle.standardError.write(
        Data("Error: \(experiment.path): the sweep needs \(error.description)\n".utf8))
      throw ExitCode(2)
    }
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

/// Throws a `ValidationError` naming `option` unless `value` lies in `range`.
func check<Value: Comparable>(_ option: String, _ value: Value, in range: ClosedRange<Value>)
  throws
{
  guard range.contains(value) else {
    throw ValidationError(
      "\(option) must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
  }
}
