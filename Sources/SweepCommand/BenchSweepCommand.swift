import ArgumentParser
import Foundation
import Sweep

/// `sweep bench-sweep`: how much of a sweep's wall time goes to anything but training.
struct BenchSweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-sweep",
    abstract:
      "Run N one-epoch synthetic trials with `sweep run` and print the share of wall time spent "
      + "outside trial compute (target ≤ 5 %).",
    discussion: """
      The sweep (toy_exp_sin and toy_exp_4d × 5 grid sizes × spline orders 1 and 3 × N/20 \
      seeds, hidden layer [8], one epoch of --samples samples) runs in a child `sweep run FILE \
      --workers W --plain` on a fresh SQLite store. Trial compute is the sum of the trials' \
      stored training_seconds (data generation, initialization, training, evaluation) divided \
      by the workers; everything else (process start, scheduling, store writes, checkpoints) \
      is overhead.
      """)

  @Option(parsing: .unconditional, help: "Trials (a multiple of 20).")
  var trials = 200
  @Option(parsing: .unconditional, help: "Worker processes.")
  var workers = 2
  @Option(
    parsing: .unconditional, help: "Training samples per trial (the synthetic default is 1000).")
  var samples = 1000
  @Option(help: "Working folder (default: a temporary folder, removed afterwards).")
  var directory: String?
  @Flag(help: "Print JSON.")
  var json = false

  func validate() throws {
    guard trials >= 20 && trials % 20 == 0 else {
      throw ValidationError("--trials must be a positive multiple of 20, got \(trials)")
    }
    try check("--trials", trials, in: 20...1_000_000)
    try check("--workers", workers, in: 1...512)
    try check("--samples", samples, in: 1...1_000_000)
  }

  func run() throws {
    let folder =
      directory
      ?? FileManager.default.temporaryDirectory.appendingPathComponent(
        "kan-bench-sweep-\(UUID().uuidString)"
      ).path
    defer { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let file = folder + "/bench-sweep.yaml"
    let database = folder + "/sweeps.sqlite"
    let seeds = (0..<(trials / 20)).map(String.init).joined(separator: ", ")
    let experiment = """
      name: bench-sweep
      method: grid
      seeds: [\(seeds)]
      parameters:
        dataset:       {values: [toy_exp_sin, toy_exp_4d]}
        hidden_layers: {value: [8]}
        grid_size:     {values: [3, 5, 8, 10, 12]}
        spline_order:  {values: [1, 3]}
        epochs:        {value: 1}
        train_limit:   {value: \(samples)}
        test_limit:    {value: 1000}

      """
    try experiment.write(toFile: file, atomically: true, encoding: .utf8)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: RunCommand.executablePath())
    process.arguments = ["run", file, "--db", database, "--workers", String(workers), "--plain"]
    let log = folder + "/run.log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let output = FileHandle(forWritingAtPath: log)
    process.standardOutput = output
    process.standardError = output
    let start = Date()
    try process.run()
    process.waitUntilExit()
    let wall = Date().timeIntervalSince(start)
    guard process.terminationStatus == 0 else {
      throw CommandFailure(
        "sweep run exited with status \(process.terminationStatus); see \(log)"
          + (directory == nil ? " (pass --directory to keep it)" : ""))
    }

    let store = try SweepStore(path: database, readOnly: true)
    guard let sweep = try store.sweep(named: "bench-sweep") else {
      throw CommandFailure("\(database): the sweep was not stored")
    }
    let stored = try store.trials(sweepID: sweep.id)
    let completed = stored.filter { $0.state == .completed }
    let compute = completed.reduce(0) { $0 + ($1.trainingSeconds ?? 0) }
    let perWorker = compute / Double(workers)
    let outside = max(0, 1 - perWorker / wall)
    let fixed = (wall * Double(workers) - compute) / Double(max(1, completed.count))
    if json {
      print(
        "{\"trials\": \(completed.count), \"workers\": \(workers), \"samples\": \(samples), "
          + "\"wall_seconds\": \(wall), \"compute_seconds\": \(compute), "
          + "\"outside_fraction\": \(outside), \"overhead_ms_per_trial\": \(fixed * 1000)}")
    } else {
      print(
        "\(completed.count)/\(stored.count) trials completed, \(workers) workers, "
          + "\(samples) samples per trial")
      print(String(format: "wall                 %.3f s", wall))
      print(String(format: "trial compute        %.3f s (%.3f s per worker)", compute, perWorker))
      print(String(format: "outside compute      %.1f %% (target ≤ 5 %%)", outside * 100))
      print(
        String(
          format: "overhead per trial   %.2f ms (worker time not spent in a trial)", fixed * 1000))
    }
  }
}
