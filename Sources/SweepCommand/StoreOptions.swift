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

  /// The commands that paste for trials of this store: this executable as invoked, and `--db`
  /// (an absolute path for SQLite) unless it is the default.
  var commands: TrialCommands {
    let isURL = db.hasPrefix("postgres://") || db.hasPrefix("postgresql://")
    let store =
      db == "results/sweeps.sqlite"
      ? nil : (isURL ? db : URL(fileURLWithPath: db).standardizedFileURL.path)
    return TrialCommands(executable: TrialCommands.executable(), store: store)
  }

  /// Opens the store: read-only (`status`, `show`, …), for writing an existing store
  /// (`worker`), or created when missing (`run`, `submit`, `slurm`).
  func open(readOnly: Bool = false, create: Bool = false) throws -> SweepStore {
    do {
      return try SweepStore.open(db, readOnly: readOnly, create: create)
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

/// `--memory-limit`: the most memory one trial may take (default: physical memory ÷ workers).
struct MemoryOptions: ParsableArguments {
  @Option(
    name: .customLong("memory-limit"),
    help: ArgumentHelp(
      "Most memory one trial may use, e.g. 6G or 500M. (default: physical memory ÷ workers)",
      valueName: "size"))
  var memoryLimit: String?

  /// The limit for `workers` workers at once, and how it was chosen.
  func limit(workers: Int) throws -> (limit: MemoryLimit, explanation: String) {
    if let memoryLimit {
      guard let limit = MemoryLimit(parsing: memoryLimit) else {
        throw ValidationError(
          "--memory-limit must be a size like 6G, 500M or 800K, got '\(memoryLimit)'")
      }
      return (limit, "--memory-limit")
    }
    let physical = MemoryLimit.describe(Int(ProcessInfo.processInfo.physicalMemory))
    return (.perWorker(workers), "\(physical) of physical memory ÷ \(workers) worker(s)")
  }
}

/// Refuses, with exit status 2 and nothing written, a sweep whose trials could not run here: a
/// data set that is not found (every folder searched is listed) or a trial whose estimated memory
/// exceeds the limit.
func requireResources(
  of experiment: ExperimentFile, dataDirectory: String?, checkData: Bool,
  memory: (limit: MemoryLimit, explanation: String)
) throws {
  if checkData { try requireDatasets(of: experiment, dataDirectory: dataDirectory) }
  do {
    try experiment.checkMemory(limit: memory.limit, explanation: memory.explanation)
  } catch {
    FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
    throw ExitCode(2)
  }
}

/// Checks that every image data set `experiment` needs is found (without reading it), so a sweep
/// fails before anything is enqueued; exits with status 2 and every folder searched otherwise.
func requireDatasets(of experiment: ExperimentFile, dataDirectory: String?) throws {
  let needed = Set(experiment.possibleDatasets.compactMap(\.imageDataset))
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

/// Submits `experiment` to `store` and prints what was added; when an existing sweep's trials
/// trained without a validation split and the new ones hold one out, says why they are new.
func submitReporting(_ experiment: ExperimentFile, to store: SweepStore) throws -> SweepSubmission {
  let earlier =
    try store.sweep(named: experiment.name).map { try store.trials(sweepID: $0.id) } ?? []
  let submission = try store.submit(experiment)
  let withoutSplit = earlier.filter { ($0.trainingConfiguration?.validationFraction ?? 0) == 0 }
  let planned = try experiment.plannedTrials()
  if submission.added > 0 && !withoutSplit.isEmpty
    && planned.contains(where: { $0.configuration.validationFraction > 0 })
  {
    print(
      "note: \(submission.added) new trial(s): sweeps now hold out validation_fraction "
        + "\(ExperimentFile.defaultValidationFraction) of the training data (val_* metrics); the "
        + "\(withoutSplit.count) earlier trial(s) trained on all of it and keep their results. "
        + "Add `validation_fraction: {value: 0}` to the file to run the earlier configurations instead."
    )
  }
  return submission
}

/// Loads an experiment file or exits with status 2 and the located message.
/// Every problem is printed on its own line; notes about ignored W&B keys go to standard error.
func loadExperiment(_ path: String) throws -> ExperimentFile {
  do {
    let experiment = try ExperimentFile.load(path: path)
    for note in experiment.notes {
      FileHandle.standardError.write(Data("note: \(path): \(note)\n".utf8))
    }
    return experiment
  } catch {
    let lines = error.all.map { "Error: \($0.summary)\n" }.joined()
    let count = error.all.count > 1 ? "\(error.all.count) problems in \(path)\n" : ""
    FileHandle.standardError.write(Data((lines + count).utf8))
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
