import ArgumentParser
import KANLib

/// The `sweep` command-line tool.
@main
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Train Kolmogorov–Arnold Networks and run reproducible hyperparameter sweeps.",
    subcommands: [
      RunCommand.self, StatusCommand.self, ReportCommand.self, ShowCommand.self, RerunCommand.self,
      ValidateCommand.self,
      SubmitCommand.self, TrainCommand.self, EvalCommand.self, DataCommand.self,
      BenchCommand.self, BenchReportCommand.self, BenchSweepCommand.self, WorkerCommand.self,
      SlurmCommand.self,
      ExportCommand.self,
    ])

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
