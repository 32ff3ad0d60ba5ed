import Foundation
import KANLib

#if canImport(Glibc)
  import Glibc
#endif

/// Claims trials from the store and trains them one after another, until the queue is empty.
///
/// Every epoch's metrics are stored as they come; a separate thread heartbeats every
/// `heartbeatInterval` seconds in every phase of a trial; a trial that diverges is marked failed
/// with the reason; the checkpoint is moved into place only after the completion is stored; on
/// SIGINT/SIGTERM (or when the parent scheduler disappears) the running trial is put back in
/// the queue without counting the attempt.
public final class SweepWorker {
  /// Options of a worker.
  public struct Options: Sendable {
    /// Only this sweep's trials (nil: any sweep).
    public var sweepID: Int64?
    /// BLAS threads while training.
    public var threads = 1
    /// Dataset folder (see ``DatasetLocator``).
    public var dataDirectory: String?
    /// Verify dataset checksums.
    public var verify = true
    /// Seconds between heartbeats.
    public var heartbeatInterval = 2.0
    /// Exit when the parent process is no longer this pid.
    public var parentPID: Int32?
    /// Stop after this many trials.
    public var maxTrials: Int?
    /// With an empty queue, keep looking for this many seconds before exiting (0: exit at once).
    public var idleExit = 0.0
    /// Standalone workers (no scheduler) also requeue trials whose worker went silent for this
    /// many seconds, or died on this host; nil leaves that to the scheduler.
    public var recoveryGrace: Double?
    /// Attempts per trial before a lost one fails for good (with `recoveryGrace`).
    public var maxAttempts = 3
    /// A trial whose estimated memory exceeds this many bytes fails instead of running.
    public var memoryLimit: Int?

    /// Default options.
    public init() {}
  }

  let store: SweepStore
  let options: Options
  let identity = WorkerIdentity.current
  private var images: [ImageDatasetName: ImageDataset] = [:]
  /// Checkpoint folders by sweep id (a sweep's name never changes).
  private var checkpointFolders: [Int64: URL] = [:]
  private let log: (String) -> Void

  /// Creates a worker on `store`; `log` receives one line per event.
  public init(store: SweepStore, options: Options, log: @escaping (String) -> Void) {
    self.store = store
    self.options = options
    self.log = log
  }

  /// Whether the worker should stop taking and running trials.
  var shouldStop: Bool {
    if StopSignal.isRequested { return true }
    if let parent = options.parentPID, getppid() != parent { return true }
    return false
  }

  /// Runs trials until none is queued (or a stop); returns how many it finished.
  public func run() throws(StoreError) -> Int {
    BLAS.threads = options.threads
    var finished = 0
    var idleSince: Date?
    while !shouldStop, finished < (options.maxTrials ?? Int.max) {
      if let grace = options.recoveryGrace {
        _ = try store.recoverLostTrials(
          sweepID: options.sweepID, grace: grace, maxAttempts: options.maxAttempts,
          localHost: identity.host,
          isAlive: { kill(pid_t($0), 0) == 0 || errno == EPERM })
      }
      if try targetReached() {
        log("metric.target reached: taking no more trials")
        break
      }
      // The environment is stored with the claim: one transaction fewer per trial.
      let claimed = try store.claim(
        sweepID: options.sweepID, worker: identity,
        environment: TrialEnvironment.current(dataDirectory: options.dataDirectory))
      guard let trial = claimed else {
        let start = idleSince ?? Date()
        idleSince = start
        if Date().timeIntervalSince(start) >= options.idleExit { break }
        usleep(500_000)
        continue
      }
      idleSince = nil
      let keepGoing = try runTrial(trial)
      finished += 1
      if !keepGoing { break }
    }
    return finished
  }

  private final class Monitor: TrainingObserver {
    let worker: SweepWorker
    let trial: TrialRecord
    let epochs: Int
    /// The last epoch's metrics, held back so that they are stored with the trial's outcome.
    var finalEpoch: EpochMetrics?
    let heartbeat: Heartbeat
    var storeError: StoreError?
    /// Seconds spent in store writes during training (not trial compute).
    var storeSeconds = 0.0

    init(worker: SweepWorker, trial: TrialRecord, epochs: Int, heartbeat: Heartbeat) {
      self.worker = worker
      self.trial = trial
      self.epochs = epochs
      self.heartbeat = heartbeat
    }

    /// Whether the trial was taken over by another worker (seen by a heartbeat or a write).
    var lost = false
    /// The sweep's early-termination rule for this trial, if any.
    var pruner: Pruner?
    /// Why the pruner stopped the trial.
    var prunedReason: String?

    func trainerShouldStop(afterEpoch metrics: EpochMetrics) -> Bool {
      guard let pruner, pruner.checkpoints.contains(metrics.epoch),
        let value = metrics.values().first(where: { $0.name == pruner.metric })?.value,
        let dataset = trial.trainingConfiguration?.dataset
      else { return false }
      do {
        let others = try worker.store.metricValues(
          sweepID: trial.sweepID, epoch: metrics.epoch, name: pruner.metric, excluding: trial.id
        ).filter { $0.dataset == dataset }.map(\.value)
        prunedReason = pruner.decide(value: value, epoch: metrics.epoch, others: others)
      } catch {
        storeError = error
      }
      return prunedReason != nil
    }

    func trainer(didFinishEpoch metrics: EpochMetrics) {
      if metrics.epoch == epochs {
        finalEpoch = metrics
        return
      }
      let start = Date()
      do {
        if !(try worker.store.recordEpoch(metrics, trial: trial, worker: worker.identity)) {
          lost = true
        }
      } catch {
        storeError = error
      }
      storeSeconds += Date().timeIntervalSince(start)
    }

    func trainerShouldStop() -> Bool {
      if heartbeat.isLost { lost = true }
      if storeError == nil { storeError = heartbeat.storeError }
      return lost || storeError != nil || worker.shouldStop
    }

    /// Stores the held-back final epoch on its own (for outcomes other than completion).
    func flushFinalEpoch() throws(StoreError) {
      guard let metrics = finalEpoch else { return }
      finalEpoch = nil
      try worker.store.recordEpoch(metrics, trial: trial, worker: worker.identity)
    }
  }

  /// Trains one claimed trial; returns false when the worker must stop. A heartbeat thread runs
  /// for the whole trial (data, training, evaluation, checkpoint).
  private func runTrial(_ trial: TrialRecord) throws(StoreError) -> Bool {
    let (store, identity) = (self.store, self.identity)
    let heartbeat = Heartbeat(interval: options.heartbeatInterval) { () throws(StoreError) in
      try store.heartbeat(trial, worker: identity)
    }
    defer { heartbeat.stop() }
    return try runTrial(trial, heartbeat: heartbeat)
  }

  private func runTrial(_ trial: TrialRecord, heartbeat: Heartbeat) throws(StoreError) -> Bool {
    log("trial \(trial.number) attempt \(trial.attempt): started")
    guard let configuration = trial.trainingConfiguration else {
      try store.fail(
        trial, worker: identity,
        reason: "stored configuration does not decode: \(trial.configuration)")
      return true
    }
    if let limit = options.memoryLimit, configuration.estimatedMemoryBytes > limit {
      let reason =
        "needs about \(MemoryLimit.describe(configuration.estimatedMemoryBytes)) of memory, more "
        + "than this worker's limit \(MemoryLimit.describe(limit)) (--memory-limit)"
      try store.fail(trial, worker: identity, reason: reason)
      log("trial \(trial.number): failed: \(reason)")
      return true
    }
    // The trial's own compute (data, initialization, training, evaluation) is timed; store
    // writes (also those during training) and the checkpoint file are not.
    let start = Date()
    let data: TrainingData
    do {
      data = try loadData(configuration)
    } catch {
      try store.fail(trial, worker: identity, reason: error.description)
      log("trial \(trial.number): failed: \(error.description)")
      return true
    }
    let monitor = Monitor(
      worker: self, trial: trial, epochs: configuration.epochs, heartbeat: heartbeat)
    monitor.pruner = try pruner(for: trial, configuration: configuration)
    let trainer: Trainer
    let result: (status: TrainingStatus, epochs: [EpochMetrics])
    do {
      trainer = try Trainer(configuration: configuration, data: data)
      trainer.useThreads(options.threads)
      defer { BLAS.threads = options.threads }
      result = try trainer.run(observer: monitor)
    } catch {
      try store.fail(trial, worker: identity, reason: "least-squares fit failed: \(error)")
      return true
    }
    _ = monitor.trainerShouldStop()
    if let storeError = monitor.storeError { throw storeError }
    if monitor.lost {
      log("trial \(trial.number): taken over by another worker after a stale heartbeat; dropped")
      return true
    }
    switch result.status {
    case .completed, .stoppedAfterEpoch:
      let seconds = Date().timeIntervalSince(start) - monitor.storeSeconds
      if let reason = monitor.prunedReason { log("trial \(trial.number): \(reason)") }
      let outcome = try finish(
        trial, network: trainer.network, configuration: configuration,
        folder: try checkpointFolder(trial), seconds: seconds, finalEpoch: monitor.finalEpoch,
        pruned: monitor.prunedReason)
      switch outcome {
      case .completed:
        log("trial \(trial.number): completed in \(String(format: "%.2f", seconds)) s")
      case .completedFileNotMoved(let reason):
        // Completed in the store, file not in place: `sweep show` reports it and `sweep rerun`
        // restores it from the retrained bytes.
        log(
          "trial \(trial.number): completed, but its checkpoint could not be moved into place: \(reason)"
        )
      case .notSaved(let reason):
        try monitor.flushFinalEpoch()
        try store.fail(trial, worker: identity, reason: "cannot save the checkpoint: \(reason)")
      case .takenOver:
        log("trial \(trial.number): no longer this worker's (taken over); result dropped")
      }
      return true
    case .diverged:
      try monitor.flushFinalEpoch()
      try store.fail(
        trial, worker: identity, reason: result.status.summary,
        parameterCount: trainer.network.parameterCount)
      log("trial \(trial.number): failed: \(result.status.summary)")
      return true
    case .stopped:
      try store.release(trial, worker: identity, reason: "interrupted; requeued")
      log("trial \(trial.number): interrupted; requeued")
      return false
    }
  }

  /// How ``finish(_:network:configuration:folder:seconds:finalEpoch:)`` ended.
  enum Completion: Equatable {
    case completed
    case completedFileNotMoved(String)
    case notSaved(String)
    case takenOver
  }

  /// Writes the checkpoint under a name of this attempt, stores the completion (fenced by the
  /// claimant) and only then moves the file into place, so a stale worker never replaces the
  /// file of a trial another worker completed.
  func finish(
    _ trial: TrialRecord, network: Network, configuration: TrainingConfiguration, folder: URL,
    seconds: Double, finalEpoch: EpochMetrics?, pruned: String? = nil
  ) throws(StoreError) -> Completion {
    let path = folder.appendingPathComponent("trial-\(trial.number).safetensors").path
    let temporary = folder.appendingPathComponent(
      ".trial-\(trial.number).attempt-\(trial.attempt).\(identity.pid).partial"
    ).path
    let saved: (sha256: String, bytes: Int)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      saved = try Checkpoint.save(
        network, configuration: configuration, to: temporary, atomically: false)
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      return .notSaved("\(error)")
    }
    let completed: Bool
    do {
      completed = try store.complete(
        trial, worker: identity, checkpoint: (path, saved.sha256, saved.bytes),
        parameterCount: network.parameterCount,
        flops: configuration.cost(gridSize: (network as? KAN)?.configuration.gridSize).flops,
        trainingSeconds: seconds, finalEpoch: finalEpoch,
        pruned: pruned)
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    guard completed else {
      try? FileManager.default.removeItem(atPath: temporary)
      return .takenOver
    }
    guard rename(temporary, path) == 0 else {
      return .completedFileNotMoved(String(cString: strerror(errno)))
    }
    return .completed
  }

  /// The sweep's file (for `metric.target`), when the worker serves one sweep.
  private var targetFile: (file: ExperimentFile, record: SweepRecord)??

  /// Whether the worker's sweep has a `metric.target` a finished trial reached.
  private func targetReached() throws(StoreError) -> Bool {
    guard let sweepID = options.sweepID else { return false }
    if targetFile == nil {
      let record = try store.sweeps().first { $0.id == sweepID }
      targetFile = .some(
        record.flatMap { record in
          (try? ExperimentFile(text: record.fileText, path: record.filePath)).map { ($0, record) }
        })
    }
    guard let entry = targetFile, let (file, record) = entry, file.metricTarget != nil else {
      return false
    }
    return try TrialSuggester.targetReached(file: file, sweep: record, store: store)
  }

  /// Early-termination rules by sweep id (from the stored file; nil when it has none).
  private var rules: [Int64: (rule: EarlyTermination, record: SweepRecord)?] = [:]

  /// The pruner for a trial: the sweep's `early_terminate` on the sweep's metric for its dataset.
  private func pruner(for trial: TrialRecord, configuration: TrainingConfiguration)
    throws(StoreError) -> Pruner?
  {
    if rules[trial.sweepID] == nil {
      let record = try store.sweeps().first { $0.id == trial.sweepID }
      let file = record.flatMap { try? ExperimentFile(text: $0.fileText, path: $0.filePath) }
      rules[trial.sweepID] = .some(
        file?.earlyTermination.flatMap { rule in record.map { (rule, $0) } })
    }
    guard let entry = rules[trial.sweepID], let (rule, record) = entry else { return nil }
    let metric = SweepAnalysis.metric(
      for: configuration.dataset, in: record, validation: configuration.validationFraction > 0)
    return Pruner(rule: rule, metric: metric.name, goal: metric.goal, epochs: configuration.epochs)
  }

  private func checkpointFolder(_ trial: TrialRecord) throws(StoreError) -> URL {
    if let folder = checkpointFolders[trial.sweepID] { return folder }
    let name = try store.sweepName(id: trial.sweepID) ?? "sweep"
    let folder = URL(fileURLWithPath: try store.outputDirectory(sweep: name))
      .appendingPathComponent("checkpoints")
    checkpointFolders[trial.sweepID] = folder
    return folder
  }

  /// The trial's data; image sets are loaded once per worker.
  private func loadData(_ configuration: TrainingConfiguration) throws(DatasetError) -> TrainingData
  {
    guard let name = configuration.dataset.imageDataset else {
      return try TrainingData.load(
        for: configuration, dataDirectory: options.dataDirectory, verify: options.verify)
    }
    let images: ImageDataset
    if let cached = self.images[name] {
      images = cached
    } else {
      images = try DatasetLocator.load(
        name, dataDirectory: options.dataDirectory, verify: options.verify)
      self.images[name] = images
    }
    return TrainingData(
      images: images, normalization: configuration.normalization,
      trainLimit: configuration.trainLimit,
      testLimit: configuration.testLimit)
  }
}
