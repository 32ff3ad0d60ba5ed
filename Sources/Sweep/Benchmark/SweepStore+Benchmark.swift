import Foundation
import KANLib

extension SweepStore {
  /// Fills the store with a synthetic, finished sweep of `trials` trials × `epochs` epochs (for
  /// the report benchmark): a grid over dataset × width × grid size × spline order × seed, each
  /// trial with a log-uniform random learning rate (as a random search draws it), and plausible
  /// learning curves drawn from `KANRandom(seed:)`. Returns the sweep's name.
  @discardableResult
  public func generateBenchmarkSweep(name: String, trials: Int, epochs: Int, seed: UInt64 = 1)
    throws(StoreError)
    -> String
  {
    let text = """
      name: \(name)
      description: synthetic sweep of \(trials) trials × \(epochs) epochs for the report benchmark
      parameters:
        dataset: {values: [mnist, fashion_mnist]}
        hidden_layers: {values: [[32], [64], [128], [64, 64]]}
        grid_size: {values: [3, 5, 8, 10, 15, 20]}
        spline_order: {values: [1, 2, 3]}
        learning_rate: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
      """
    var generator = KANRandom(seed: seed)
    let environment = TrialEnvironment(
      toolVersion: Checkpoint.toolVersion, gitCommit: nil, openBLASCore: "SkylakeX", blasThreads: 1,
      cpuModel: "synthetic", host: "bench", operatingSystem: "benchmark")
    try write { connection in
      let sweepID = try connection.insert(
        """
        INSERT INTO sweep (name, description, method, metric_name, metric_goal, file_path,
                           file_text, file_hash, created_at)
        VALUES (?, ?, 'grid', 'test_accuracy', 'maximize', 'generated', ?, '', 0)
        """, [name, "synthetic sweep for the report benchmark", text])
      let datasets: [DatasetName] = [.mnist, .fashionMNIST]
      let widths = [[32], [64], [128], [64, 64]]
      let grids = [3, 5, 8, 10, 15, 20]
      let orders = [1, 2, 3]
      let combinations = datasets.count * widths.count * grids.count * orders.count
      for number in 0..<trials {
        let index = number % combinations
        var configuration = TrainingConfiguration()
        configuration.dataset = datasets[index % 2]
        configuration.hiddenLayers = widths[(index / 2) % 4]
        configuration.gridSize = grids[(index / 8) % 6]
        configuration.splineOrder = orders[(index / 48) % 3]
        configuration.epochs = epochs
        configuration.learningRate = Float(Foundation.pow(10, -4 + 3 * generator.nextDouble()))
        configuration.seed = UInt64(number / combinations)
        let json = try configuration.canonicalJSON()
        let parameters =
          (configuration.hiddenLayers.reduce(784, +) + 10) * 9 * (configuration.gridSize + 1)
        let start = 1_700_000_000 + Double(number) * 30
        let trialID = try connection.insert(
          """
          INSERT INTO trial (sweep_id, number, identity, configuration, parameters, seed, state,
            attempt, worker_host, worker_pid, heartbeat_at, started_at, finished_at,
            parameter_count, training_seconds)
          VALUES (?, ?, ?, ?, '{}', ?, 'completed', 1, 'bench', 1, ?, ?, ?, ?, 30)
          """,
          [
            sweepID, number, PlannedTrial.identity(ofCanonicalJSON: json), json,
            Int64(configuration.seed), start + 30, start, start + 30, parameters,
          ])
        // Best near a learning rate of 3e-3, as real sweeps tend to be.
        let offset = Foundation.log10(Double(configuration.learningRate)) + 2.5
        let ceiling = (configuration.dataset == .mnist ? 0.975 : 0.885) - 0.02 * offset * offset
        let rate = 0.3 + 0.4 * generator.nextDouble()
        for epoch in 1...epochs {
          let progress = 1 - Foundation.exp(-rate * Double(epoch))
          let accuracy = ceiling * progress + 0.01 * (generator.nextDouble() - 0.5)
          let values: [(String, Double)] = [
            ("train_loss", 2.3 * (1 - progress) + 0.05), ("test_loss", 2.3 * (1 - progress) + 0.1),
            ("test_accuracy", accuracy), ("learning_rate", 0.001),
            ("epoch_seconds", 1.5 + Double(configuration.gridSize) * 0.1),
            ("samples_per_second", 40_000),
          ]
          for (metric, value) in values {
            try Self.insertMetric(
              trialID: trialID, epoch: epoch, name: metric, value: value, connection)
          }
        }
        try connection.execute(
          "INSERT INTO artifact (trial_id, kind, path, sha256, bytes) VALUES (?, 'checkpoint', ?, ?, 1)",
          [trialID, "checkpoints/trial-\(number).safetensors", String(repeating: "0", count: 64)])
        try Self.upsertEnvironment(environment, trialID: trialID, connection)
      }
    }
    return name
  }
}
