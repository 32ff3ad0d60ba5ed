/// The size of a trial's network: its trainable parameters and its forward FLOPs per sample,
/// counted with the rules of "KAN or MLP: A Fairer Comparison" (Yu, Yu & Wang 2024, KANbeFair).
///
/// Per layer from `in` to `out` (k the spline order, G the grid size, a the activation's FLOPs:
/// KANbeFair's table, identity 0, ReLU 1, SiLU 5, tanh 6):
/// ```
/// KAN parameters  in·out·(G + k)  spline weights + in·out base weights + in·out spline scalers
/// KAN FLOPs       in·out·(9k·(G + 1.5k) + 2G − 2.5k + 1)   B-splines (KANbeFair's count)
///                 + a·in + 2·in·out                        base branch
/// MLP parameters  out·(in + 1)
/// MLP FLOPs       2·in·out + a·out                         (every layer, the last included, as
///                                                          KANbeFair's `total_flops` counts)
/// ```
/// KANbeFair counts B-spline KANs and MLPs only; for the other bases the same conventions
/// (an exp or a multiply-add chain counted by its operations, a product of m×k by k×n as 2mkn)
/// give, per layer with G centres or degree D:
/// ```
/// RBF parameters  in·G·out + in·out + out + 2·in      (spline weights, base weights and bias,
///                                                      the layer norm's γ and β)
/// RBF FLOPs       7·in (layer norm) + 5·in·G (Gaussians: subtract, scale, square, negate,
///                 exp) + 2·in·G·out + a·in + 2·in·out + out
/// Chebyshev parameters  in·out·(D + 1)
/// Chebyshev FLOPs       6·in (tanh) + 3·in·(D − 1) (the recurrence) + 2·in·(D + 1)·out
/// ```
/// Parameters are exact: the tensors kan-sweep trains (efficient-kan's layout). KANbeFair's own
/// parameter formula for its pykan-style layer, in·out·(G + k + 3) + out, counts a per-node bias
/// and a separate base scale that efficient-kan's layer does not have; its FLOPs formula is used
/// unchanged.
public struct ModelCost: Sendable, Equatable {
  /// Trainable scalars.
  public var parameters: Int
  /// Forward floating-point operations per sample.
  public var flops: Double

  /// KANbeFair's FLOPs of one activation evaluation.
  public static func activationFLOPs(_ activation: BaseActivation) -> Double {
    switch activation {
    case .zero, .identity: return 0
    case .relu: return 1
    case .silu: return 5
    case .tanh: return 6
    }
  }

  /// The cost of a KAN of `widths` with grid size `gridSize` and spline order `splineOrder`.
  public static func kan(
    widths: [Int], gridSize: Int, splineOrder: Int, activation: BaseActivation
  ) -> ModelCost {
    let (g, k) = (Double(gridSize), Double(splineOrder))
    var cost = ModelCost(parameters: 0, flops: 0)
    for (input, output) in zip(widths, widths.dropFirst()) {
      let edges = Double(input * output)
      cost.parameters += input * output * (gridSize + splineOrder + 2)
      cost.flops += edges * (9 * k * (g + 1.5 * k) + 2 * g - 2.5 * k + 1)
      cost.flops += activationFLOPs(activation) * Double(input) + 2 * edges
    }
    return cost
  }

  /// The cost of a FastKAN of `widths` with G = `centerCount` Gaussians per input.
  public static func rbf(widths: [Int], centerCount: Int, activation: BaseActivation) -> ModelCost {
    var cost = ModelCost(parameters: 0, flops: 0)
    let g = Double(centerCount)
    for (input, output) in zip(widths, widths.dropFirst()) {
      let (i, o) = (Double(input), Double(output))
      cost.parameters += input * centerCount * output + input * output + output + 2 * input
      cost.flops +=
        7 * i + 5 * i * g + 2 * i * g * o + activationFLOPs(activation) * i
        + 2 * i * o + o
    }
    return cost
  }

  /// The cost of a ChebyKAN of `widths` with polynomials up to `degree`.
  public static func chebyshev(widths: [Int], degree: Int) -> ModelCost {
    var cost = ModelCost(parameters: 0, flops: 0)
    let d = Double(degree)
    for (input, output) in zip(widths, widths.dropFirst()) {
      let (i, o) = (Double(input), Double(output))
      cost.parameters += input * output * (degree + 1)
      cost.flops += 6 * i + 3 * i * max(d - 1, 0) + 2 * i * (d + 1) * o
    }
    return cost
  }

  /// The cost of a convolutional KAN: every convolution as the KAN of one group's patch
  /// (patch → O/groups) at each output position, per group; each LayerNorm2D 2C parameters and
  /// 8 FLOPs per value (mean, variance, normalization, scale and shift); the pooling one add per
  /// value.
  public static func convKAN(_ configuration: ConvKANConfiguration) -> ModelCost {
    var cost = ModelCost(parameters: 0, flops: 0)
    let sizes = configuration.spatialSizes
    let h = configuration.hyperparameters
    for (index, layer) in configuration.convolutions.enumerated() {
      let linear = layer.groupLayer
      let kernel = ModelCost.kan(
        widths: [linear.inFeatures, linear.outFeatures], gridSize: h.gridSize,
        splineOrder: h.splineOrder, activation: h.baseActivation)
      let positions = sizes[index + 1].height * sizes[index + 1].width
      cost.parameters += layer.groups * kernel.parameters
      cost.flops += Double(layer.groups * positions) * kernel.flops
      let values = Double(layer.outChannels * positions)
      if index + 1 < sizes.count - 1 {
        cost.parameters += 2 * layer.outChannels
        cost.flops += 8 * values
      } else {
        cost.flops += values
      }
    }
    return cost
  }

  /// The cost of an MLP of `widths` with `activation` between layers.
  public static func mlp(widths: [Int], activation: BaseActivation) -> ModelCost {
    var cost = ModelCost(parameters: 0, flops: 0)
    for (input, output) in zip(widths, widths.dropFirst()) {
      cost.parameters += output * (input + 1)
      cost.flops += 2 * Double(input * output) + activationFLOPs(activation) * Double(output)
    }
    return cost
  }
}

extension TrainingConfiguration {
  /// The size of this configuration's network (for a KAN with a grid schedule, at grid size
  /// `gridSize`, by default the last grid it reaches).
  public func cost(gridSize: Int? = nil) -> ModelCost {
    switch (model, basis) {
    case (.convKAN, _):
      return .convKAN(convKANConfiguration)
    case (.kan, .bspline):
      return .kan(
        widths: layerWidths, gridSize: gridSize ?? self.gridSize(atEpoch: epochs),
        splineOrder: splineOrder, activation: baseActivation)
    case (.kan, .rbf):
      return .rbf(widths: layerWidths, centerCount: self.gridSize, activation: baseActivation)
    case (.kan, .chebyshev):
      return .chebyshev(widths: layerWidths, degree: degree)
    case (.mlp, _):
      return .mlp(widths: layerWidths, activation: baseActivation)
    }
  }
}

extension TrainingConfiguration {
  /// The hidden widths of the network this configuration trains: ``hiddenLayers``, except for an
  /// MLP with ``match``, whose widths are ``hiddenLayers`` scaled by one factor so that its
  /// parameters (or FLOPs) come closest to its KAN twin's (this configuration with `model: kan`,
  /// sized by ``cost(gridSize:)``).
  ///
  /// Concretely, with h₀ the first hidden width: widths(w) = max(1, round(hᵢ·w/h₀)) for the
  /// smallest w in 1…10⁶ whose cost reaches the twin's, or w − 1 when that is closer (a tie
  /// takes the smaller network). The cost grows with w, so a bisection finds it.
  public var networkHiddenLayers: [Int] {
    guard model == .mlp, match != .none, let first = hiddenLayers.first, first > 0 else {
      return hiddenLayers
    }
    var twin = self
    twin.model = .kan
    twin.match = .none
    let twinCost = twin.cost()
    let target = match == .params ? Double(twinCost.parameters) : twinCost.flops
    let (input, output) = datasetWidths
    func widths(_ w: Int) -> [Int] {
      hiddenLayers.map { max(1, Int((Double($0) * Double(w) / Double(first)).rounded())) }
    }
    func measure(_ w: Int) -> Double {
      let cost = ModelCost.mlp(widths: [input] + widths(w) + [output], activation: baseActivation)
      return match == .params ? Double(cost.parameters) : cost.flops
    }
    var (low, high) = (1, 1_000_000)
    while low < high {
      let middle = (low + high) / 2
      if measure(middle) >= target { high = middle } else { low = middle + 1 }
    }
    if low > 1 && abs(measure(low - 1) - target) <= abs(measure(low) - target) { low -= 1 }
    return widths(low)
  }
}
