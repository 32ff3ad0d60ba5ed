import Foundation
import KANLib
import Testing

/// convkan's fixture kinds: one `ConvKAN` layer (`kan_conv2d`) and its MNIST example network
/// (`conv_kan_network`).
extension FixtureParityTests {
  /// One layer: y, dL/dx and the three weight gradients for loss sum(y ⊙ upstream_grad).
  static func checkConvolution(_ file: SafeTensors) throws -> [Comparison] {
    func pair(_ key: String) throws -> [Int] {
      guard let values = (Fixtures.metadataValue(file, key) as? [NSNumber])?.map(\.intValue),
        values.count == 2
      else { throw FixtureError("kan_conv2d fixture without \(key) [a, b]") }
      return values
    }
    guard let inChannels = Fixtures.int(file, "in_channels"),
      let outChannels = Fixtures.int(file, "out_channels"),
      let groups = Fixtures.int(file, "groups")
    else { throw FixtureError("kan_conv2d fixture without in_channels, out_channels or groups") }
    var configuration = KANConv2dConfiguration(
      inChannels: inChannels, outChannels: outChannels, groups: groups,
      hyperparameters: Fixtures.kanConfiguration(file))
    configuration.kernel = try pair("kernel_size")
    configuration.stride = try pair("stride")
    configuration.padding = try pair("padding")
    configuration.dilation = try pair("dilation")
    var parameterLayout = TensorLayout()
    var bufferLayout = TensorLayout()
    let layer = KANConv2d(
      configuration, prefix: "layer", parameters: &parameterLayout, buffers: &bufferLayout)
    let parameters = TensorArena(layout: parameterLayout)
    let buffers = TensorArena(layout: bufferLayout)
    for (arena, entries) in [(parameters, parameters.entries), (buffers, buffers.entries)] {
      for entry in entries {
        arena.assign(
          try file.tensor(String(entry.name.dropFirst("layer.".count))).floats, to: entry)
      }
    }
    let x = try file.tensor("x")
    let y = try file.tensor("y")
    let (batch, height, width) = (x.shape[0], x.shape[2], x.shape[3])
    let cache = KANConv2dCache(configuration: configuration)
    var output = [Float](repeating: 0, count: y.count)
    var gradX = [Float](repeating: 0, count: x.count)
    let gradients = FloatBuffer(count: parameters.count)
    x.floats.withPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        layer.forward(
          input: input, batchSize: batch, height: height, width: width,
          parameters: parameters.storage.pointer, buffers: buffers.storage.pointer, cache: cache,
          output: out.start("test"))
      }
    }
    try file.tensor("upstream_grad").floats.withPointer { upstream in
      x.floats.withPointer { input in
        gradX.withUnsafeMutableBufferPointer { dx in
          layer.backward(
            outputGradient: upstream, input: input, parameters: parameters.storage.pointer,
            buffers: buffers.storage.pointer, gradients: gradients.pointer, cache: cache,
            inputGradient: dx.start("test"))
        }
      }
    }
    func gradient(_ entry: TensorEntry) -> [Float] {
      Array(UnsafeBufferPointer(start: gradients.pointer + entry.offset, count: entry.count))
    }
    var results = [
      Comparison("y", actual: output, expected: y.floats, tolerance: outputTolerance),
      Comparison(
        "grad_x", actual: gradX, expected: try file.tensor("grad_x").floats,
        tolerance: outputTolerance),
      Comparison(
        "grad_base_weight", actual: gradient(layer.baseWeight),
        expected: try file.tensor("grad_base_weight").floats, tolerance: outputTolerance),
      Comparison(
        "grad_spline_weight", actual: gradient(layer.splineWeight),
        expected: try file.tensor("grad_spline_weight").floats, tolerance: outputTolerance),
    ]
    if let scaler = layer.splineScaler {
      results.append(
        Comparison(
          "grad_spline_scaler", actual: gradient(scaler),
          expected: try file.tensor("grad_spline_scaler").floats, tolerance: outputTolerance))
    }
    return results
  }

  /// convkan's example network, shrunk: logits, loss, gradients, then N AdamW steps.
  static func checkConvolutionNetwork(_ file: SafeTensors) throws -> [Comparison] {
    guard let channels = (Fixtures.metadataValue(file, "channels") as? [NSNumber])?.map(\.intValue),
      let betas = Fixtures.metadataValue(file, "betas") as? [NSNumber], betas.count == 2,
      let steps = Fixtures.int(file, "steps"), let lr = Fixtures.double(file, "lr")
    else {
      throw FixtureError("conv_kan_network fixture without channels, betas, steps or lr")
    }
    let x = try file.tensor("x")
    var configuration = ConvKANConfiguration()
    configuration.inputChannels = x.shape[1]
    configuration.inputHeight = x.shape[2]
    configuration.inputWidth = x.shape[3]
    configuration.channels = channels
    configuration.strides = [1] + Array(repeating: 2, count: channels.count - 1)
    configuration.hyperparameters = Fixtures.kanConfiguration(file)
    let network = ConvKAN(configuration: configuration)
    let fixtureName = convkanFixtureName
    for entry in network.parameters.entries {
      network.parameters.assign(
        try file.tensor("init." + fixtureName(entry.name)).floats, to: entry)
    }
    for entry in network.buffers.entries {
      network.buffers.assign(try file.tensor("init." + fixtureName(entry.name)).floats, to: entry)
    }
    let adamW = AdamW(
      parameterCount: network.parameterCount, learningRate: Float(lr),
      beta1: betas[0].floatValue, beta2: betas[1].floatValue,
      epsilon: Float(Fixtures.double(file, "eps") ?? 1e-8),
      weightDecay: Float(Fixtures.double(file, "weight_decay") ?? 1e-2))
    return try trainingComparisons(
      network, file: file, classes: channels[channels.count - 1], adamW: adamW, steps: steps,
      fixtureName: fixtureName)
  }

  /// Our `state_dict` name (convkan's Sequential: `2l.kan_layer.x`, `(2l + 1).gamma`) → the
  /// fixture's (`layers.l.x`, `norms.l.gamma`).
  static func convkanFixtureName(_ name: String) -> String {
    let parts = name.split(separator: ".", maxSplits: 1)
    guard parts.count == 2, let index = Int(parts[0]) else { return name }
    let rest = String(parts[1])
    if rest.hasPrefix("kan_layer.") {
      return "layers.\(index / 2)." + rest.dropFirst("kan_layer.".count)
    }
    return "norms.\(index / 2).\(rest)"
  }
}
