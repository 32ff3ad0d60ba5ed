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

  let store: any SweepStorage
  let options: Options
  let identity = WorkerIdentity.current
  private var images: [ImageDatasetName: ImageDataset] = [:]
  private let log: (String) -> Void

  /// Creates a worker on `store`; `log` receives one line per event.
  public init(store: any SweepStorage, options: Options, log: @escaping (String) -> Void) {
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
        try store.recoverLostTrials(
          sweepID: options.sweepID, grace: grace, maxAttempts: options.maxAttempts,
          localHost: identity.host,
          isAlive: { kill(pid_t($0), 0) == 0 || errno == EPERM })
      }
      guard let trial = try store.claim(sweepID: options.sweepID, worker: identity) else {
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
    var lastHeartbeat = Date()
    var lost = false
    var storeError: StoreError?

    init(worker: SweepWorker, trial: TrialRecord) {
      self.worker = worker
      self.trial = trial
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
    }

    func trainer(didFinishEpoch metrics: EpochMetrics) {
      lastHeartbeat = Date()
      do {
        try worker.store.recordEpoch(metrics, trial: trial, worker: worker.identity)
      } catch {
        storeError = error
      }
    }

    func trainerShouldStop() -> Bool { lost || storeError != nil || worker.shouldStop }
  }

  /// Trains one claimed trial; returns false when the worker must stop.
  private func runTrial(_ trial: TrialRecord) throws(StoreError) -> Bool {
    log("trial \(trial.number) attempt \(trial.attempt): started")
    try store.recordEnvironment(TrialEnvironment.current(), trial: trial)
    guard let configuration = trial.trainingConfiguration else {
      try store.fail(
        trial, worker: identity,
        reason: "stored configuration does not decode: \(trial.configuration)")
      return true
    }
    // The trial's own compute (data, initialization, training) is timed; store writes and the
    // checkpoint file are not.
    let start = Date()
    let data: TrainingData
    do {
      data = try loadData(configuration)
    } catch {
      try store.fail(trial, worker: identity, reason: error.description)
      log("trial \(trial.number): failed: \(error.description)")
      return true
    }
    let monitor = Monitor(worker: self, trial: trial)
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
      let seconds = Date().timeIntervalSince(start)
      let path = URL(fileURLWithPath: store.outputDirectory(sweep: try sweepName(trial)))
        .appendingPathComponent("checkpoints/trial-\(trial.number).safetensors").path
      do {
        let saved = try Checkpoint.save(trainer.network, configuration: configuration, to: path)
        try store.complete(
          trial, worker: identity, checkpoint: (path, saved.sha256, saved.bytes),
          parameterCount: trainer.network.parameterCount, trainingSeconds: seconds)
        log("trial \(trial.number): completed in \(String(format: "%.2f", seconds)) s")
      } catch {
        try store.fail(trial, worker: identity, reason: "cannot save the checkpoint: \(error)")
      }
      return true
    case .diverged:
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

  private func sweepName(_ trial: TrialRecord) throws(StoreError) -> String {
    try store.sweepName(id: trial.sweepID) ?? "sweep"
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
