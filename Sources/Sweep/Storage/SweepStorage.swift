import KANLib

/// What the scheduler, workers, commands and reports need from a store of sweeps.
///
/// Two backends conform: ``SweepStore`` (a SQLite file through GRDB, for one machine) and
/// ``PostgresSweepStore`` (a shared PostgreSQL database, for many). Every write is one short
/// transaction; a trial is claimed atomically; updates to a running trial check that the caller
/// still owns it (host, pid, attempt).
public protocol SweepStorage: AnyObject, Sendable {
  /// The store's location as the user gave it (file path or URL, password hidden).
  var location: String { get }

  /// The folder where a sweep's checkpoints and logs go.
  func outputDirectory(sweep: String) -> String

  /// Records the sweep and enqueues the trials it does not have yet, in one transaction.
  func submit(_ file: ExperimentFile) throws(StoreError) -> SweepSubmission
  /// The sweep called `name`.
  func sweep(named name: String) throws(StoreError) -> SweepRecord?
  /// Every sweep, oldest first.
  func sweeps() throws(StoreError) -> [SweepRecord]
  /// The trials of a sweep by number.
  func trials(sweepID: Int64) throws(StoreError) -> [TrialRecord]
  /// One trial by sweep and number.
  func trial(sweepID: Int64, number: Int) throws(StoreError) -> TrialRecord?
  /// Trial counts by state (every state present).
  func counts(sweepID: Int64) throws(StoreError) -> [TrialState: Int]

  /// Claims the lowest-numbered queued trial for `worker` and, in the same transaction, records
  /// the `environment` it will run in; nil when nothing is queued.
  func claim(sweepID: Int64?, worker: WorkerIdentity, environment: TrialEnvironment?)
    throws(StoreError) -> TrialRecord?
  /// Records a sign of life; false when the trial is no longer this worker's.
  func heartbeat(_ trial: TrialRecord, worker: WorkerIdentity) throws(StoreError) -> Bool
  /// Stores one epoch's metrics exactly (NaN and ±inf included) and heartbeats.
  func recordEpoch(_ metrics: EpochMetrics, trial: TrialRecord, worker: WorkerIdentity)
    throws(StoreError)
  /// Stores the environment a trial runs in.
  func recordEnvironment(_ environment: TrialEnvironment, trial: TrialRecord) throws(StoreError)
  /// Marks the trial completed with its checkpoint and, in the same transaction, stores
  /// `finalEpoch` (the last epoch's metrics, when not recorded yet); false if it was no longer
  /// this worker's (then nothing is written).
  func complete(
    _ trial: TrialRecord, worker: WorkerIdentity,
    checkpoint: (path: String, sha256: String, bytes: Int),
    parameterCount: Int, trainingSeconds: Double, finalEpoch: EpochMetrics?
  ) throws(StoreError) -> Bool
  /// Marks the trial failed with `reason`.
  func fail(_ trial: TrialRecord, worker: WorkerIdentity, reason: String, parameterCount: Int?)
    throws(StoreError)
  /// Puts an interrupted trial back in the queue without counting the attempt.
  func release(_ trial: TrialRecord, worker: WorkerIdentity, reason: String) throws(StoreError)
  /// Requeues (or, after `maxAttempts`, fails) running trials whose worker is gone: a dead pid on
  /// `localHost`, or a heartbeat older than `grace` seconds anywhere.
  func recoverLostTrials(
    sweepID: Int64?, grace: Double, maxAttempts: Int, localHost: String, isAlive: (Int) -> Bool,
    reason: ((TrialRecord) -> String?)?
  ) throws(StoreError) -> [TrialRecord]

  /// Metrics of a trial: (epoch, name, exact value), by epoch then name.
  func metrics(trialID: Int64) throws(StoreError) -> [(epoch: Int, name: String, value: Double)]
  /// The checkpoint of a trial.
  func checkpoint(trialID: Int64) throws(StoreError) -> (path: String, sha256: String, bytes: Int)?
  /// The recorded environment of a trial.
  func environment(trialID: Int64) throws(StoreError) -> TrialEnvironment?
  /// Every metric, checkpoint hash and distinct environment line of a sweep, for reports.
  func reportRows(sweepID: Int64) throws(StoreError) -> SweepReportRows
}

extension SweepStorage {
  /// Claims the lowest-numbered queued trial for `worker` without recording an environment.
  public func claim(sweepID: Int64?, worker: WorkerIdentity) throws(StoreError) -> TrialRecord? {
    try claim(sweepID: sweepID, worker: worker, environment: nil)
  }

  /// Marks the trial completed with its checkpoint (its metrics already recorded).
  @discardableResult
  public func complete(
    _ trial: TrialRecord, worker: WorkerIdentity,
    checkpoint: (path: String, sha256: String, bytes: Int),
    parameterCount: Int, trainingSeconds: Double
  ) throws(StoreError) -> Bool {
    try complete(
      trial, worker: worker, checkpoint: checkpoint, parameterCount: parameterCount,
      trainingSeconds: trainingSeconds, finalEpoch: nil)
  }
}

/// The outcome of ``SweepStorage/submit(_:)``.
public struct SweepSubmission: Sendable {
  /// The sweep's row id.
  public let sweepID: Int64
  /// Trials added by this submission.
  public let added: Int
  /// Trials the file asks for.
  public let planned: Int
}

/// Bulk rows of one sweep for a report.
public struct SweepReportRows: Sendable {
  /// (trial id, epoch, metric name, exact value).
  public var metrics: [(trialID: Int64, epoch: Int, name: String, value: Double)]
  /// (trial id, checkpoint SHA-256).
  public var checkpoints: [(trialID: Int64, sha256: String)]
  /// One line per distinct environment.
  public var environments: [String]
}

extension SweepStorage {
  /// ``fail(_:worker:reason:parameterCount:)`` without a parameter count.
  public func fail(_ trial: TrialRecord, worker: WorkerIdentity, reason: String) throws(StoreError)
  {
    try fail(trial, worker: worker, reason: reason, parameterCount: nil)
  }

  /// ``recoverLostTrials(sweepID:grace:maxAttempts:localHost:isAlive:reason:)`` with the default
  /// reasons.
  @discardableResult
  public func recoverLostTrials(
    sweepID: Int64?, grace: Double, maxAttempts: Int, localHost: String, isAlive: (Int) -> Bool
  ) throws(StoreError) -> [TrialRecord] {
    try recoverLostTrials(
      sweepID: sweepID, grace: grace, maxAttempts: maxAttempts, localHost: localHost,
      isAlive: isAlive,
      reason: nil)
  }

  /// The name of the sweep with row id `id`.
  public func sweepName(id: Int64) throws(StoreError) -> String? {
    try sweeps().first { $0.id == id }?.name
  }
}

/// Opens the store at `location`: a `postgres://` or `postgresql://` URL, or a SQLite file path.
public func openSweepStorage(_ location: String, readOnly: Bool = false) throws(StoreError)
  -> any SweepStorage
{
  if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
    return try PostgresSweepStore(url: location)
  }
  return try SweepStore(path: location, readOnly: readOnly)
}
