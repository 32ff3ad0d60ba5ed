/// The basis on a KAN's edges.
public enum BasisKind: String, Sendable, Codable, CaseIterable, Hashable {
  /// efficient-kan's B-splines (``KAN``, ``KANLinear``).
  case bspline
  /// FastKAN's Gaussian radial basis functions (``FastKANLayer``).
  case rbf
  /// ChebyKAN's Chebyshev polynomials (``ChebyKANLayer``).
  case chebyshev
}
