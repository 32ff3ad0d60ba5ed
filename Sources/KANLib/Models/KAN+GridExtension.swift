extension KAN {
  /// Grid extension (pykan's `refine`): a network of the same widths with `gridSize` grid
  /// intervals per edge that computes this network's function on `input`.
  ///
  /// Layer by layer, the new layer is fitted to the old one on the old network's activations
  /// of `input` (see ``KANLinear/refine(from:parentParameters:parentBuffers:input:batchSize:parameters:buffers:)``);
  /// the base weights and spline scalers are copied. The new network's parameters are new
  /// tensors: an optimizer for them starts from a fresh state.
  ///
  /// - Parameter input: x [batchSize, widths.first], e.g. the training batch.
  public func refined(gridSize: Int, input: UnsafePointer<Float>, batchSize: Int)
    throws(BLAS.LeastSquaresError) -> KAN
  {
    precondition(batchSize > 0, "KAN.refined: needs samples")
    var newConfiguration = configuration
    newConfiguration.gridSize = gridSize
    let child = KAN(widths: widths, configuration: newConfiguration)
    _ = forward(input, batchSize: batchSize)
    for (index, layer) in layers.enumerated() {
      try child.layers[index].refine(
        from: layer, parentParameters: parameters.storage.pointer,
        parentBuffers: buffers.storage.pointer,
        input: index == 0 ? input : layerOutput(index - 1), batchSize: batchSize,
        parameters: child.parameters.storage.pointer, buffers: child.buffers.storage.pointer)
    }
    return child
  }
}
