import ArgumentParser
import KANLib

/// The `sweep` command-line tool.
@main
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Train Kolmogorov–Arnold Networks and run reproducible hyperparameter sweeps.",
    subcommands: [TrainCommand.self, EvalCommand.self, DataCommand.self])

  static func main() {
    CoreSelection.ensureOptimizedKernels()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }
}
