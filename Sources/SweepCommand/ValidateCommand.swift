import ArgumentParser
import Foundation
import Sweep

/// `sweep validate FILE`: check an experiment file and preview its trials without running.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate", abstract: "Check a sweep file and preview its trials; runs nothing.")

  @Argument(help: "The experiment file (YAML).")
  var file: String
  @Option(parsing: .unconditional, help: "Rows of the preview table.")
  var preview = 10
  @OptionGroup var resources: ResourceOptions

  func validate() throws {
    try check("--preview", preview, in: 0...100_000)
  }

  func run() throws {
    let experiment = try loadExperiment(file)
    try resources.require(experiment)
    var trials = try experiment.plannedTrials()
    if experiment.isOpenEnded {
      // Made while the sweep runs; bayes starts with random draws, which the preview shows.
      print(
        "\(experiment.name): \(experiment.method.rawValue) search, "
          + (experiment.runCap.map { "\($0) configurations" } ?? "configurations until stopped")
          + " × \(experiment.seeds.count) seed(s), made while the sweep runs; the first random draws:"
      )
      trials = try (0..<preview).flatMap { try experiment.trials(experiment.randomSample($0)) }
    } else {
      let dropped = experiment.plannedTrialUpperBound - trials.count
      let why =
        experiment.method == .grid
        ? "duplicates dropped: a model ignores the parameters it does not use"
        : "repeated samples dropped: they would run the same configuration and seed twice"
      print(
        "\(experiment.name): \(trials.count) trials from \(experiment.plannedConfigurationCount) configurations × "
          + "\(experiment.seeds.count) seed(s), method \(experiment.method.rawValue)"
          + (dropped > 0 ? " (\(dropped) \(why))" : ""))
    }
    let names = experiment.parameters.map(\.name)
    let header = ["#"] + names + ["seed"]
    var rows = [header]
    for (index, trial) in trials.prefix(preview).enumerated() {
      rows.append(
        [String(index)] + names.map { trial.values[$0]?.description ?? "" } + [
          String(trial.configuration.seed)
        ])
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
      print(
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
          .joined(separator: "  "))
    }
    if trials.count > preview { print("… \(trials.count - preview) more") }
  }
}

/// `sweep submit FILE`: only enqueue (workers run the trials).
struct SubmitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit", abstract: "Enqueue a sweep file's new trials without running them.")

  @Argument(help: "The experiment file (YAML).")
  var file: String
  @OptionGroup var store: StoreOptions
  @OptionGroup var resources: ResourceOptions
  @Flag(
    name: .customLong("retry-failed"),
    help: "Put the sweep's failed trials back in the queue (their errors stay in the history).")
  var retryFailed = false

  func run() throws {
    let experiment = try loadExperiment(file)
    try resources.require(experiment)
    let store = try self.store.open(create: true)
    let submission = try submitReporting(experiment, to: store)
    print(
      "sweep \(experiment.name): \(submission.planned) trials planned, \(submission.added) new enqueued"
    )
    if retryFailed {
      let requeued = try store.retryFailed(sweepID: submission.sweepID)
      print("sweep \(experiment.name): \(requeued) failed trial(s) requeued")
    }
  }
}

/// What a sweep needs to run here, checked before anything is enqueued: its data sets and the
/// memory of its largest trial (shared by `validate` and `submit`).
struct ResourceOptions: ParsableArguments {
  @OptionGroup var data: DataOptions
  @OptionGroup var memory: MemoryOptions
  @Flag(
    name: .customLong("no-data-check"),
    help: "Do not check that the data sets are found here (workers on other machines load them).")
  var noDataCheck = false

  /// Exits with status 2 unless `experiment` can run with one worker per core.
  func require(_ experiment: ExperimentFile) throws {
    try requireResources(
      of: experiment, dataDirectory: data.dataDirectory, checkData: !noDataCheck,
      memory: try memory.limit(workers: ProcessInfo.processInfo.activeProcessorCount))
  }
}
