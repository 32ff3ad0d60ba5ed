/// A convolution whose kernel is a Kolmogorov–Arnold layer, with convkan's semantics and
/// parameter layout (`convkan.ConvKAN`, efficient-kan's `KANLinear` applied to `unfold` patches).
///
/// Concretely, for x [N, C, H, W] and each group g of G_c = `groups`:
/// ```
/// P_g          [N·H'·W', (C/G_c)·kh·kw]   im2col patches of channels g·C/G_c ..< (g + 1)·C/G_c,
///                                        features in unfold order (channel, kernel row, column),
///                                        zero outside the padded input; rows in (n, y', x') order
/// grid         [G_c, (C/G_c)·kh·kw, G + 2k + 1]
/// baseWeight   [G_c, O/G_c, (C/G_c)·kh·kw]
/// splineWeight [G_c, O/G_c, (C/G_c)·kh·kw, G + k]
/// splineScaler [G_c, O/G_c, (C/G_c)·kh·kw]
/// Y_g          [N·H'·W', O/G_c] = KANLinear_g(P_g)     (``KANLinear`` on group g's slices)
/// y            [N, O, H', W'],  y[n, g·O/G_c + o, y', x'] = Y_g[(n, y', x'), o]   (group-major)
/// H' = ⌊(H + 2p − d·(kh − 1) − 1)/s⌋ + 1 (and W' alike)
/// ```
/// Each group's product runs as sgemms over chunks of patch rows ([act(P) | B(P)] against the
/// combined weight), so the features of a whole batch never exist at once; backward
/// recomputes a chunk's features from the input instead of keeping them (see BENCHMARKS.md).
///
/// Deviations from convkan: random draws come from ``KANRandom``; the kaiming bounds use
/// PyTorch's fan-in of the 3-D parameter tensors, (O/G_c)·(C/G_c)·kh·kw, as convkan's
/// `reset_parameters` does (a plain efficient-kan layer uses its input width); only zero padding.
public struct KANConv2d: Sendable {
  /// The layer's geometry and hyperparameters.
  public let configuration: KANConv2dConfiguration
  /// `baseWeight` [groups, O/groups, patch] in the parameter arena.
  public let baseWeight: TensorEntry
  /// `splineWeight` [groups, O/groups, patch, G + k] in the parameter arena.
  public let splineWeight: TensorEntry
  /// `splineScaler` [groups, O/groups, patch] in the parameter arena, when the standalone scaler
  /// is on.
  public let splineScaler: TensorEntry?
  /// `grid` [groups, patch, G + 2k + 1] in the buffer arena.
  public let grid: TensorEntry
  /// Group g's KANLinear over its slices of the four tensors.
  public let groupLayers: [KANLinear]

  /// Declares the layer's tensors under `prefix` (convkan's `0.kan_layer`) in the two layouts.
  public init(
    _ configuration: KANConv2dConfiguration, prefix: String,
    parameters: inout TensorLayout, buffers: inout TensorLayout
  ) {
    precondition(configuration.problems.isEmpty, "KANConv2d: \(configuration.problems)")
    self.configuration = configuration
    let layer = configuration.groupLayer
    let (groups, out, patch) = (configuration.groups, layer.outFeatures, layer.inFeatures)
    let count = layer.coefficientCount
    baseWeight = parameters.add("\(prefix).base_weight", shape: [groups, out, patch])
    splineWeight = parameters.add("\(prefix).spline_weight", shape: [groups, out, patch, count])
    splineScaler =
      layer.standaloneScaler
      ? parameters.add("\(prefix).spline_scaler", shape: [groups, out, patch]) : nil
    grid = buffers.add("\(prefix).grid", shape: [groups, patch, layer.knotCount])
    let (base, spline, scaler, knots) = (baseWeight, splineWeight, splineScaler, grid)
    func slice(_ entry: TensorEntry, _ group: Int) -> TensorEntry {
      let shape = Array(entry.shape.dropFirst())
      let size = shape.reduce(1, *)
      return TensorEntry(
        name: "\(entry.name)[\(group)]", offset: entry.offset + group * size, shape: shape)
    }
    groupLayers = (0..<groups).map { group in
      KANLinear(
        configuration: layer, baseWeight: slice(base, group),
        splineWeight: slice(spline, group), splineScaler: scaler.map { slice($0, group) },
        grid: slice(knots, group))
    }
  }

  /// Writes every group's uniform extended grid (see ``KANLinear/resetGrid(buffers:)``).
  public func resetGrid(buffers: UnsafeMutablePointer<Float>) {
    for layer in groupLayers { layer.resetGrid(buffers: buffers) }
  }

  /// Initializes the grids and parameters as convkan's `reset_parameters`.
  ///
  /// Concretely, drawing from `generator` in this order, with fan = (O/G_c)·patch (PyTorch's
  /// fan-in of a [G_c, O/G_c, patch] tensor):
  /// ```
  /// grid         = uniform extended knots over gridRange (every group)
  /// baseWeight   ~ U(−b, b),  b = √(6 / ((1 + a²)·fan)),  a = √5·scaleBase
  /// splineWeight = group by group, lstsq(B(interior knots), (U[G + 1, patch, O/G_c] − ½)·scaleNoise/G)
  /// splineScaler ~ U(−b, b),  a = √5·scaleSpline
  /// ```
  public func initialize(
    parameters: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
    generator: inout KANRandom
  ) throws(BLAS.LeastSquaresError) {
    let layer = configuration.groupLayer
    let fan = layer.outFeatures * layer.inFeatures
    resetGrid(buffers: buffers)
    KANLinear.kaimingUniform(
      parameters + baseWeight.offset, count: baseWeight.count, fanIn: fan,
      scale: layer.scaleBase, generator: &generator)
    for group in groupLayers {
      try group.initializeSplineWeights(
        parameters: parameters, buffers: buffers, generator: &generator)
    }
    if let splineScaler {
      KANLinear.kaimingUniform(
        parameters + splineScaler.offset, count: splineScaler.count, fanIn: fan,
        scale: layer.scaleSpline, generator: &generator)
    }
  }
}
