import Foundation
import KANLib

#if canImport(Glibc)
  import Glibc
#endif

/// Claims trials from the store and trains them one after another, until the queue is empty.
///
/// Every epoch's metrics are stored as they come; the worker heartbeats at least every
/// `heartbeatInterval` seconds; a trial that diverges is marked failed with the reason; on
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
      // The environment is stored with the claim: one transaction fewer per trial.
      let claimed = try store.claim(
        sweepID: options.sweepID, worker: identity, environment: TrialEnvironment.current())
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
    var lastHeartbeat = Date()
    var lost = false
    var storeError: StoreError?
    /// Seconds spent in store writes during training (not trial compute).
    var storeSeconds = 0.0

    init(worker: SweepWorker, trial: TrialRecord, epochs: Int) {
      self.worker = worker
      self.trial = trial
      self.epochs = epochs
    }

    func trainer(
      didFinishBatch batch: Int, of batchCount: Int, epoch: Int, loss: Float,
      samplesPerSecond: Double
    ) {
      guard Date().timeIntervalSince(lastHeartbeat) >= worker.options.heartbeatInterval else {
        return
      }
      lastHeartbeat = Date()
      do {
        lost = !(try worker.store.heartbeat(trial, worker: worker.identity))
      } catch {
        storeError = error
      }
      storeSeconds += Date().timeIntervalSince(lastHeartbeat)
    }

    func trainer(didFinishEpoch metrics: EpochMetrics) {
      if metrics.epoch == epochs {
        finalEpoch = metrics
        return
      }
      lastHeartbeat = Date()
      do {
        try worker.store.recordEpoch(metrics, trial: trial, worker: worker.identity)
      } catch {
        storeError = error
      }
      storeSeconds += Date().timeIntervalSince(lastHeartbeat)
    }

    func trainerShouldStop() -> Bool { lost || storeError != nil || worker.shouldStop }

    /// Stores the held-back final epoch on its own (for outcomes other than completion).
    func flushFinalEpoch() throws(StoreError) {
      guard let metrics = finalEpoch else { return }
      finalEpoch = nil
      try worker.store.recordEpoch(metrics, trial: trial, worker: worker.identity)
    }
  }

  /// Trains one claimed trial; returns false when the worker must stop.
  private func runTrial(_ trial: TrialRecord) throws(StoreError) -> Bool {
    log("trial \(trial.number) attempt \(trial.attempt): started")
    guard let configuration = trial.trainingConfiguration else {
      try store.fail(
        trial, worker: identity,
        reason: "stored configuration does not decode: \(trial.configuration)")
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
    let monitor = Monitor(worker: self, trial: trial, epochs: configuration.epochs)
    let trainer: Trainer
    let result: (status: TrainingStatus, epochs: [EpochMetrics])
    do {
      trainer = try Trainer(configuration: configuration, data: data)
      result = try trainer.run(observer: monitor)
    } catch {
      try store.fail(trial, worker: identity, reason: "least-squares fit failed: \(error)")
      return true
    }
    if let storeError = monitor.storeError { throw storeError }
    if monitor.lost {
      log("trial \(trial.number): taken over by another worker after a stale heartbeat; dropped")
      return true
    }
    switch result.status {
    case .completed:
      let seconds = Date().timeIntervalSince(start) - monitor.storeSeconds
      let path = try checkpointFolder(trial)
        .appendingPathComponent("trial-\(trial.number).safetensors").path
      let saved: (sha256: String, bytes: Int)
      do {
        // Written in place: the file counts only once the store holds its SHA-256 (a crash
        // mid-write leaves a running trial that is rerun and rewrites the file).
        saved = try Checkpoint.save(
          trainer.network, configuration: configuration, to: path, atomically: false)
      } catch {
        try monitor.flushFinalEpoch()
        try store.fail(trial, worker: identity, reason: "cannot save the checkpoint: \(error)")
        return true
      }
      let completed = try store.complete(
        trial, worker: identity, checkpoint: (path, saved.sha256, saved.bytes),
        parameterCount: trainer.network.parameterCount, trainingSeconds: seconds,
        finalEpoch: monitor.finalEpoch)
      log(
        completed
          ? "trial \(trial.number): completed in \(String(format: "%.2f", seconds)) s"
          : "trial \(trial.number): no longer this worker's (taken over); result dropped")
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

  private func checkpointFolder(_ trial: TrialRecord) throws(StoreError) -> URL {
    if let folder = checkpointFolders[trial.sweepID] { return folder }
    let name = try store.sweepName(id: trial.sweepID) ?? "sweep"
    let folder = URL(fileURLWithPath: store.outputDirectory(sweep: name))
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
