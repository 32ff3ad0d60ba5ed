import Foundation

/// Heartbeats a claimed trial from its own thread, every `interval` seconds, whatever the worker
/// is doing (loading data, training, evaluating, writing the checkpoint), so a healthy worker is
/// never taken for a dead one during a long phase.
///
/// When a heartbeat finds that the trial is no longer the worker's (``isLost``) or the store
/// fails (``storeError``), the timer stops beating; the worker polls both.
final class Heartbeat: @unchecked Sendable {
  private let condition = NSCondition()
  private var stopped = false
  private var lost = false
  private var failure: StoreError?
  private var finished = false

  /// Starts beating: `beat` returns whether the trial is still the worker's.
  init(interval: Double, beat: @escaping @Sendable () throws(StoreError) -> Bool) {
    let thread = Thread { [self] in
      condition.lock()
      defer {
        finished = true
        condition.broadcast()
        condition.unlock()
      }
      while !stopped {
        _ = condition.wait(until: Date().addingTimeInterval(interval))
        if stopped { break }
        condition.unlock()
        let outcome: Result<Bool, StoreError>
        do throws(StoreError) {
          outcome = .success(try beat())
        } catch {
          outcome = .failure(error)
        }
        condition.lock()
        switch outcome {
        case .success(true): continue
        case .success(false): lost = true
        case .failure(let error): failure = error
        }
        break
      }
    }
    thread.name = "heartbeat"
    thread.start()
  }

  /// Whether a heartbeat found the trial taken over by another worker.
  var isLost: Bool {
    condition.lock()
    defer { condition.unlock() }
    return lost
  }

  /// The store error a heartbeat met, if any.
  var storeError: StoreError? {
    condition.lock()
    defer { condition.unlock() }
    return failure
  }

  /// Stops beating and waits until the thread has finished its current heartbeat.
  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    while !finished { condition.wait() }
    condition.unlock()
  }
}
