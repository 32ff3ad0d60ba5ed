import ArgumentParser
import Foundation
import Sweep

/// `sweep slurm FILE --db URL`: enqueue a sweep and write (optionally submit) a Slurm job array
/// whose tasks each run `sweep worker` against the shared store.
struct SlurmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "slurm",
    abstract:
      "Enqueue a sweep and write an sbatch job array of `sweep worker` tasks (--submit to submit it).",
    discussion: """
      Requeued or preempted array tasks are safe: claims are transactional and a trial whose \
      worker went silent is requeued by the other workers after --grace seconds.
      """)

  @Argument(help: "The experiment file (YAML).")
  var file: String
  @OptionGroup var store: StoreOptions
  @Option(parsing: .unconditional, help: "Array tasks (concurrent workers).")
  var array = 4
  @Option(
    name: .customLong("cpus-per-task"),
    parsing: .unconditional, help: "CPUs per task; also the OpenBLAS threads of its worker.")
  var cpusPerTask = 1
  @Option(help: "Time limit per task (Slurm syntax).")
  var time = "08:00:00"
  @Option(help: "Slurm partition.")
  var partition: String?
  @Option(help: "The sweep executable the tasks run (default: this one).")
  var executable: String?
  @Option(help: "Where to write the script (default: results/<sweep>/slurm/<sweep>.sbatch).")
  var out: String?
  @Option(parsing: .unconditional, help: "Seconds a task waits for new trials before exiting.")
  var idleExit = 30.0
  @OptionGroup var data: DataOptions
  @Flag(help: "Submit the script with sbatch and print the job id.")
  var submit = false

  func validate() throws {
    try check("--array", array, in: 1...100_000)
    try check("--cpus-per-task", cpusPerTask, in: 1...512)
    try check("--idle-exit", idleExit, in: 0...604_800)
  }

  func run() throws {
    let experiment = try loadExperiment(file)
    if !store.db.hasPrefix("postgres://") && !store.db.hasPrefix("postgresql://") {
      FileHandle.standardError.write(
        Data(
          ("warning: \(store.db) is a SQLite file; do not share it between cluster nodes (NFS locking is "
            + "unreliable). Use --db postgres://user@host/database.\n").utf8))
    }
    let storage = try store.open(create: true)
    let submission = try submitReporting(experiment, to: storage)
    print(
      "sweep \(experiment.name): \(submission.planned) trials planned, \(submission.added) new enqueued"
    )
    let script = Self.script(
      sweep: experiment.name, database: store.db,
      executable: executable ?? RunCommand.executablePath(),
      array: array, cpusPerTask: cpusPerTask, time: time, partition: partition, idleExit: idleExit,
      dataDirectory: data.dataDirectory)
    let path = out ?? "results/\(experiment.name)/slurm/\(experiment.name).sbatch"
    try FileManager.default.createDirectory(
      at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
    // Slurm does not create the folder of --output itself.
    try FileManager.default.createDirectory(
      atPath: "results/\(experiment.name)/slurm", withIntermediateDirectories: true)
    // The script holds the database URL (and its password): readable by its owner only.
    guard
      FileManager.default.createFile(
        atPath: path, contents: Data(script.utf8), attributes: [.posixPermissions: 0o600])
    else { throw CommandFailure("\(path): cannot write the batch script") }
    print("wrote \(path):")
    print(script, terminator: "")
    guard submit else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sbatch", "--parsable", path]
    let output = Pipe()
    process.standardOutput = output
    do { try process.run() } catch { throw CommandFailure("cannot run sbatch: \(error)") }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CommandFailure(
        "sbatch failed with status \(process.terminationStatus) (is Slurm installed and running?)")
    }
    print(
      "submitted job \(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")"
    )
  }

  /// The sbatch script of a job array of workers.
  static func script(
    sweep: String, database: String, executable: String, array: Int, cpusPerTask: Int, time: String,
    partition: String?, idleExit: Double, dataDirectory: String?
  ) -> String {
    func quote(_ text: String) -> String {
      "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    var lines = [
      "#!/bin/bash",
      "# Written by `sweep slurm` for sweep \(sweep): each array task runs one worker against the shared store.",
      "#SBATCH --job-name=kan-sweep-\(sweep)",
      "#SBATCH --array=0-\(array - 1)",
      "#SBATCH --cpus-per-task=\(cpusPerTask)",
      "#SBATCH --time=\(time)",
      "#SBATCH --output=results/\(sweep)/slurm/%A_%a.out",
      "#SBATCH --requeue",
    ]
    if let partition { lines.append("#SBATCH --partition=\(partition)") }
    var command = [
      quote(executable), "worker", "--db", quote(database), "--sweep", quote(sweep), "--threads",
      String(cpusPerTask), "--idle-exit", String(idleExit),
    ]
    if let dataDirectory { command += ["--data-dir", quote(dataDirectory)] }
    lines += [
      "set -euo pipefail",
      "export OPENBLAS_NUM_THREADS=\(cpusPerTask)",
      "exec " + command.joined(separator: " "),
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}
