/// A Kolmogorov–Arnold layer: a learnable B-spline on every input–output edge plus a residual
/// base branch, with efficient-kan's semantics and parameter layout.
///
/// Concretely:
/// ```
/// x            [batch, in]
/// grid         [in, G + 2k + 1]        uniform knots over gridRange, extended k steps each side
/// baseWeight   [out, in]               kaiming-uniform, a = √5·scaleBase
/// splineWeight [out, in, G + k]        least-squares fit to (U − ½)·scaleNoise/G at the knots
/// splineScaler [out, in]               kaiming-uniform, a = √5·scaleSpline (standalone scaler)
/// B(x)         [batch, in·(G + k)]     Cox–de Boor bases; order 0 is 1 on [tⱼ, tⱼ₊₁)
/// y            [batch, out] = act(x)·baseWeightᵀ + B(x)·(splineWeight ⊙ splineScaler)ᵀ
///              computed as ONE sgemm: [act(x) | B(x)] · [baseWeight | splineWeight ⊙ splineScaler]ᵀ
/// ```
/// Deviations from efficient-kan: `updateGrid` divides the refitted weights by `splineScaler`
/// so the layer's function is preserved (efficient-kan applies the scaler twice); random draws
/// come from ``KANRandom``, not PyTorch's generator; the B-spline basis is evaluated only for the
/// k + 1 bases that can be non-zero (same formula; on uniform knots the span-independent form,
/// equal up to rounding); SiLU in ``forward(input:batchSize:parameters:buffers:cache:needsInputGradient:output:profile:)``
/// uses ``VectorMath/exp(_:)`` (within 2 ulp of `expf`).
///
/// The layer is a description: its tensors live in the network's arenas (parameters and their
/// gradients by `baseWeight`, `splineWeight`, `splineScaler`; the grid in the buffer arena).
public struct KANLinear: Sendable {
  /// The layer's hyperparameters.
  public let configuration: KANLinearConfiguration
  /// `baseWeight` [out, in] in the parameter arena.
  public let baseWeight: TensorEntry
  /// `splineWeight` [out, in, G + k] in the parameter arena.
  public let splineWeight: TensorEntry
  /// `splineScaler` [out, in] in the parameter arena, when the standalone scaler is on.
  public let splineScaler: TensorEntry?
  /// `grid` [in, G + 2k + 1] in the buffer arena.
  public let grid: TensorEntry

  /// Declares the layer's tensors under `prefix` (e.g. `layers.0`) in the two layouts.
  public init(
    _ configuration: KANLinearConfiguration, prefix: String,
    parameters: inout TensorLayout, buffers: inout TensorLayout
  ) {
    precondition(configuration.problems.isEmpty, "KANLinear: \(configuration.problems)")
    self.configuration = configuration
    let (inFeatures, outFeatures) = (configuration.inFeatures, configuration.outFeatures)
    baseWeight = parameters.add("\(prefix).base_weight", shape: [outFeatures, inFeatures])
    splineWeight = parameters.add(
      "\(prefix).spline_weight", shape: [outFeatures, inFeatures, configuration.coefficientCount])
    splineScaler =
      configuration.standaloneScaler
      ? parameters.add("\(prefix).spline_scaler", shape: [outFeatures, inFeatures]) : nil
    grid = buffers.add("\(prefix).grid", shape: [inFeatures, configuration.knotCount])
  }

  /// A layer over tensors declared elsewhere: e.g. one group's slice of a grouped
  /// ``KANConv2d``'s parameters (the entries' offsets and shapes are all it reads).
  init(
    configuration: KANLinearConfiguration, baseWeight: TensorEntry, splineWeight: TensorEntry,
    splineScaler: TensorEntry?, grid: TensorEntry
  ) {
    precondition(configuration.problems.isEmpty, "KANLinear: \(configuration.problems)")
    self.configuration = configuration
    self.baseWeight = baseWeight
    self.splineWeight = splineWeight
    self.splineScaler = splineScaler
    self.grid = grid
  }

  /// Writes the uniform extended grid: knot m of every input is `gridLower + (m − k)·h`,
  /// h = (gridUpper − gridLower)/G, for m in 0...G + 2k.
  public func resetGrid(buffers: UnsafeMutablePointer<Float>) {
    let c = configuration
    let step = (c.gridUpper - c.gridLower) / Float(c.gridSize)
    let knots = buffers + grid.offset
    for feature in 0..<c.inFeatures {
      for m in 0..<c.knotCount {
        knots[feature * c.knotCount + m] = Float(m - c.splineOrder) * step + c.gridLower
      }
    }
  }

  /// Builds the combined weight `[baseWeight | splineWeight ⊙ splineScaler]` [out, in·(1 + G + k)]
  /// (rows `rows` only, when given: disjoint row ranges may be built on different threads).
  func buildCombinedWeight(
    parameters: UnsafePointer<Float>, into combined: UnsafeMutablePointer<Float>,
    rows: Range<Int>? = nil
  ) {
    let c = configuration
    let (inFeatures, count) = (c.inFeatures, c.coefficientCount)
    let width = c.featureWidth
    let base = parameters + baseWeight.offset
    let spline = parameters + splineWeight.offset
    let scaler = splineScaler.map { parameters + $0.offset }
    for o in rows ?? 0..<c.outFeatures {
      let row = combined + o &* width
      row.update(from: base + o &* inFeatures, count: inFeatures)
      for i in 0..<inFeatures {
        let edge = o &* inFeatures &+ i
        let source = spline + edge &* count
        let target = row + (inFeatures &+ i &* count)
        guard let scaler else {
          target.update(from: source, count: count)
          continue
        }
        let scale = scaler[edge]
        let lanes = SIMD8<Float>(repeating: scale)
        var m = 0
        while m &+ 8 <= count {
          let value = UnsafeRawPointer(source + m).loadUnaligned(as: SIMD8<Float>.self)
          UnsafeMutableRawPointer(target + m).storeBytes(of: value * lanes, as: SIMD8<Float>.self)
          m &+= 8
        }
        while m < count {
          target[m] = source[m] * scale
          m &+= 1
        }
      }
    }
  }
}
