import Foundation

/// Wall-clock time per kind of work in training steps, for `sweep bench`.
///
/// Timing never feeds back into the numbers computed; a nil profile costs one branch.
public final class StepProfile {
  /// A kind of work.
  public enum Category: Int, CaseIterable, Sendable {
    /// B-spline bases, activations and the feature matrix.
    case basis
    /// `cblas_sgemm` calls.
    case gemm
    /// Other elementwise work: combined weights, gradient split, input gradient, loss.
    case elementwise
    /// The AdamW update.
    case optimizer
  }

  /// Nanoseconds per category.
  public private(set) var nanoseconds = [UInt64](repeating: 0, count: Category.allCases.count)

  /// Creates an empty profile.
  public init() {}

  /// Runs `body`, adding its duration to `category`.
  @inline(__always)
  public func measure<T>(_ category: Category, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    defer { nanoseconds[category.rawValue] += DispatchTime.now().uptimeNanoseconds - start }
    return try body()
  }

  /// Seconds spent in `category`.
  public func seconds(_ category: Category) -> Double {
    Double(nanoseconds[category.rawValue]) / 1e9
  }

  /// Clears every accumulator.
  public func reset() {
    nanoseconds = [UInt64](repeating: 0, count: Category.allCases.count)
  }
}

extension Optional where Wrapped == StepProfile {
  /// Runs `body`, timing it when a profile is present.
  @inline(__always)
  func measure<T>(_ category: StepProfile.Category, _ body: () throws -> T) rethrows -> T {
    switch self {
    case .some(let profile): return try profile.measure(category, body)
    case .none: return try body()
    }
  }
}
