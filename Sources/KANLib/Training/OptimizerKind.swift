/// The optimizer a run uses.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable, Hashable {
  /// ``AdamW`` over mini-batches.
  case adamw
  /// ``LBFGS`` as pykan's `fit` configures it (history 10, strong-Wolfe line search, tolerances
  /// 1e-32 so no step stops early): one ``LBFGS/step(parameters:gradients:evaluate:)`` (up to 20
  /// iterations) per batch; with `batch_size` ≥ the training split, pykan's full-batch `fit`.
  case lbfgs
}
