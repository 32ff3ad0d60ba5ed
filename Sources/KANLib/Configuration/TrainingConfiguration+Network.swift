extension TrainingConfiguration {
  /// The network this configuration trains, of `widths`, with every parameter drawn from
  /// `generator`: an ``MLP``, an efficient-kan ``KAN``, a ``BasisKAN`` of FastKAN or ChebyKAN
  /// layers, or a ``ConvKAN`` (whose widths come from ``convKANConfiguration``).
  public func makeNetwork(widths: [Int], generator: inout KANRandom)
    throws(BLAS.LeastSquaresError) -> Network
  {
    switch (model, basis) {
    case (.convKAN, _):
      return try ConvKAN(configuration: convKANConfiguration, generator: &generator)
    case (.mlp, _):
      return MLP(widths: widths, activation: baseActivation, generator: &generator)
    case (.kan, .bspline):
      return try KAN(widths: widths, configuration: kanConfiguration, generator: &generator)
    case (.kan, .rbf):
      let network = BasisKAN.fastKAN(
        widths: widths, centerCount: gridSize, gridLower: gridRange.first ?? -1,
        gridUpper: gridRange.last ?? 1)
      network.initialize(generator: &generator)
      return network
    case (.kan, .chebyshev):
      let network = BasisKAN.chebyKAN(widths: widths, degree: degree)
      network.initialize(generator: &generator)
      return network
    }
  }
}

extension BasisKAN where Layer == FastKANLayer {
  /// FastKAN's `FastKAN(layers_hidden, grid_min, grid_max, num_grids)`, with zeroed parameters.
  public static func fastKAN(widths: [Int], centerCount: Int, gridLower: Float, gridUpper: Float)
    -> BasisKAN<FastKANLayer>
  {
    BasisKAN(widths: widths) { index, input, output, parameters, buffers in
      FastKANLayer(
        inFeatures: input, outFeatures: output, centerCount: centerCount, gridLower: gridLower,
        gridUpper: gridUpper, prefix: "layers.\(index)", parameters: &parameters,
        buffers: &buffers)
    }
  }
}

extension BasisKAN where Layer == ChebyKANLayer {
  /// A stack of ChebyKAN layers of one degree, with zeroed parameters.
  public static func chebyKAN(widths: [Int], degree: Int) -> BasisKAN<ChebyKANLayer> {
    BasisKAN(widths: widths) { index, input, output, parameters, _ in
      ChebyKANLayer(
        inFeatures: input, outFeatures: output, degree: degree, prefix: "layers.\(index)",
        parameters: &parameters)
    }
  }
}
