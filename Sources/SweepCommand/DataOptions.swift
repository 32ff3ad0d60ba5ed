import ArgumentParser

/// Where datasets come from and whether they are verified; shared by every command that loads
/// data (`train`, `eval`, `run`, `worker`, `rerun`, `slurm`).
struct DataOptions: ParsableArguments {
  @Option(
    name: [.customLong("data-dir"), .customLong("data_dir")],
    help: "Folder holding the four IDX files, or a parent of mnist/ and fashion-mnist/.")
  var dataDirectory: String?

  @Flag(name: .customLong("no-verify"), help: "Skip the SHA-256 check of the dataset files.")
  var noVerify = false
}
