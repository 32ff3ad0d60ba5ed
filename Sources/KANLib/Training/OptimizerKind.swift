/// The optimizer a run uses.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable, Hashable {
  /// ``AdamW`` over mini-batches.
  case adamw
  /// ``LBFGS`` with a strong-Wolfe line search: one ``LBFGS/step(parameters:gradients:evaluate:)``
  /// (up to 20 iterations) per batch; with `batch_size` ≥ the training split, pykan's full-batch
  /// `fit`.
  case lbfgs
}
