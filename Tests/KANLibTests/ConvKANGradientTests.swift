import Foundation
import KANLib
import Testing

/// KAN convolutions, layer norms and pooling against central finite differences of an
/// independent Double model written as a direct (not im2col) convolution from convkan's formulas.
@Suite struct ConvKANGradientTests {
  struct Case: Sendable, CustomStringConvertible {
    let inChannels: Int
    let outChannels: Int
    let kernel: [Int]
    let stride: [Int]
    let padding: [Int]
    let dilation: [Int]
    let groups: Int
    let size: (height: Int, width: Int)
    var description: String {
      "C\(inChannels)→\(outChannels) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups) "
        + "\(size.height)×\(size.width)"
    }

    var configuration: KANConv2dConfiguration {
      var c = KANConv2dConfiguration(
        inChannels: inChannels, outChannels: outChannels, groups: groups)
      c.kernel = kernel
      c.stride = stride
      c.padding = padding
      c.dilation = dilation
      return c
    }
  }

  static let cases: [Case] = [
    Case(
      inChannels: 2, outChannels: 3, kernel: [3, 3], stride: [2, 2], padding: [1, 1],
      dilation: [1, 1], groups: 1, size: (6, 5)),
    Case(
      inChannels: 2, outChannels: 2, kernel: [3, 3], stride: [1, 1], padding: [2, 2],
      dilation: [2, 2], groups: 1, size: (5, 5)),
    Case(
      inChannels: 4, outChannels: 6, kernel: [2, 3], stride: [1, 2], padding: [0, 1],
      dilation: [1, 1], groups: 2, size: (5, 6)),
    // Nine inputs per patch and more: SIMD basis groups of eight plus a tail.
    Case(
      inChannels: 3, outChannels: 2, kernel: [3, 3], stride: [2, 1], padding: [1, 0],
      dilation: [1, 2], groups: 1, size: (7, 7)),
  ]

  /// The layer in Double, directly from its definition: y[n, g·O/G + o, y', x'] = Σ over the
  /// patch's (c, i, j) of base·SiLU(v) + scaler·Σ_m spline_m·B_m(v), v the (zero-padded) input.
  static func referenceConvolution(
    _ c: KANConv2dConfiguration, layer: KANConv2d, parameters: [Double], grid: [Double],
    input: [Double], batch: Int, height: Int, width: Int
  ) -> [Double] {
    let (outHeight, outWidth) = c.outputSize(height: height, width: width)
    let (patch, count) = (c.patchWidth, c.groupLayer.coefficientCount)
    let knotCount = c.groupLayer.knotCount
    var output = [Double](repeating: 0, count: batch * c.outChannels * outHeight * outWidth)
    for n in 0..<batch {
      for group in 0..<c.groups {
        for o in 0..<c.groupOutChannels {
          for oy in 0..<outHeight {
            for ox in 0..<outWidth {
              var total = 0.0
              var feature = 0
              for channel in 0..<c.groupInChannels {
                for i in 0..<c.kernel[0] {
                  for j in 0..<c.kernel[1] {
                    let y = oy * c.stride[0] - c.padding[0] + i * c.dilation[0]
                    let x = ox * c.stride[1] - c.padding[1] + j * c.dilation[1]
                    let inside = y >= 0 && y < height && x >= 0 && x < width
                    let plane = n * c.inChannels + group * c.groupInChannels + channel
                    let v = inside ? input[(plane * height + y) * width + x] : 0
                    let edge = (group * c.groupOutChannels + o) * patch + feature
                    let knotStart = (group * patch + feature) * knotCount
                    let b = ReferenceKAN.bases(
                      v, knots: Array(grid[knotStart..<(knotStart + knotCount)]),
                      order: c.groupLayer.splineOrder)
                    var spline = 0.0
                    for m in 0..<count {
                      spline += parameters[layer.splineWeight.offset + edge * count + m] * b[m]
                    }
                    let scaler = layer.splineScaler.map { parameters[$0.offset + edge] } ?? 1
                    total +=
                      parameters[layer.baseWeight.offset + edge] * v / (1 + exp(-v))
                      + scaler * spline
                    feature += 1
                  }
                }
              }
              let channel = group * c.groupOutChannels + o
              output[((n * c.outChannels + channel) * outHeight + oy) * outWidth + ox] = total
            }
          }
        }
      }
    }
    return output
  }

  /// LayerNorm2D in Double: over channels at each pixel, biased variance, ε = 1e-5.
  static func referenceNorm(
    _ input: [Double], batch: Int, channels: Int, pixels: Int, gamma: [Double], beta: [Double]
  ) -> [Double] {
    var output = input
    for n in 0..<batch {
      for p in 0..<pixels {
        let values = (0..<channels).map { input[(n * channels + $0) * pixels + p] }
        let mean = values.reduce(0, +) / Double(channels)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(channels)
        for c in 0..<channels {
          output[(n * channels + c) * pixels + p] =
            gamma[c] * (values[c] - mean) / (variance + 1e-5).squareRoot() + beta[c]
        }
      }
    }
    return output
  }

  /// Perturbed parameters (larger than the initialization, so every term matters) and inputs
  /// in and beyond the grid.
  static func perturb(_ arena: TensorArena, generator: inout KANRandom) {
    for index in 0..<arena.count { arena.storage[index] += generator.uniform(-0.5, 0.5) }
  }

  /// Central differences in Double of `loss` at `point`'s `indices` against `analytic`.
  static func expectFiniteDifferences(
    _ label: String, point: [Double], indices: [Int], analytic: [Float],
    loss: ([Double]) -> Double
  ) {
    let h = 1e-6
    for index in indices {
      var plus = point
      var minus = point
      plus[index] += h
      minus[index] -= h
      let numeric = (loss(plus) - loss(minus)) / (2 * h)
      let error = abs(Double(analytic[index]) - numeric)
      #expect(
        error <= 2e-4 * max(1, abs(numeric)),
        "\(label)[\(index)]: analytic \(analytic[index]), finite differences \(numeric)")
    }
  }

  @Test(arguments: cases)
  func convolutionGradientsMatchFiniteDifferences(_ testCase: Case) throws {
    let c = testCase.configuration
    var parameterLayout = TensorLayout()
    var bufferLayout = TensorLayout()
    let layer = KANConv2d(c, prefix: "l", parameters: &parameterLayout, buffers: &bufferLayout)
    let parameters = TensorArena(layout: parameterLayout)
    let buffers = TensorArena(layout: bufferLayout)
    var generator = KANRandom(seed: 11)
    try layer.initialize(
      parameters: parameters.storage.pointer, buffers: buffers.storage.pointer,
      generator: &generator)
    Self.perturb(parameters, generator: &generator)
    let (batch, height, width) = (2, testCase.size.height, testCase.size.width)
    let (outHeight, outWidth) = c.outputSize(height: height, width: width)
    let input = (0..<(batch * c.inChannels * height * width)).map { _ in
      generator.uniform(-1.5, 1.5)
    }
    let upstream = (0..<(batch * c.outChannels * outHeight * outWidth)).map { _ in
      generator.uniform(-1, 1)
    }
    let cache = KANConv2dCache(configuration: c)
    var output = [Float](repeating: 0, count: upstream.count)
    var inputGradient = [Float](repeating: 0, count: input.count)
    let gradients = FloatBuffer(count: parameters.count)
    input.withPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        layer.forward(
          input: x, batchSize: batch, height: height, width: width,
          parameters: parameters.storage.pointer, buffers: buffers.storage.pointer, cache: cache,
          output: y.start("test"))
      }
      upstream.withPointer { dy in
        inputGradient.withUnsafeMutableBufferPointer { dx in
          layer.backward(
            outputGradient: dy, input: x, parameters: parameters.storage.pointer,
            buffers: buffers.storage.pointer, gradients: gradients.pointer, cache: cache,
            inputGradient: dx.start("test"))
        }
      }
    }
    let point = parameters.storage.array.map(Double.init)
    let grid = buffers.storage.array.map(Double.init)
    let x = input.map(Double.init)
    func loss(parameters: [Double], input: [Double]) -> Double {
      let y = Self.referenceConvolution(
        c, layer: layer, parameters: parameters, grid: grid, input: input, batch: batch,
        height: height, width: width)
      return zip(y, upstream).reduce(0) { $0 + $1.0 * Double($1.1) }
    }
    let reference = Self.referenceConvolution(
      c, layer: layer, parameters: point, grid: grid, input: x, batch: batch, height: height,
      width: width)
    let forwardError = zip(output, reference).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(forwardError < 1e-4, "forward: max error \(forwardError)")
    Self.expectFiniteDifferences(
      "dL/dθ", point: point, indices: Array(stride(from: 0, to: point.count, by: 7)),
      analytic: gradients.array
    ) { loss(parameters: $0, input: x) }
    Self.expectFiniteDifferences(
      "dL/dx", point: x, indices: Array(x.indices), analytic: inputGradient
    ) { loss(parameters: point, input: $0) }
  }

  /// The whole network: convolutions, LayerNorm2D and pooling; every ninth parameter (every γ
  /// and β among them) and every input.
  @Test func networkGradientsMatchFiniteDifferences() throws {
    var configuration = ConvKANConfiguration()
    (configuration.inputChannels, configuration.inputHeight, configuration.inputWidth) = (2, 5, 4)
    configuration.channels = [2, 3, 2]
    configuration.strides = [1, 2, 1]
    var generator = KANRandom(seed: 5)
    let network = try ConvKAN(configuration: configuration, generator: &generator)
    Self.perturb(network.parameters, generator: &generator)
    network.computesInputGradient = true
    let batch = 2
    let input = (0..<(batch * network.inputWidth)).map { _ in generator.uniform(-1.5, 1.5) }
    let upstream = (0..<(batch * network.outputWidth)).map { _ in generator.uniform(-1, 1) }
    network.zeroGradients()
    let logits = input.withPointer { x in
      Array(
        UnsafeBufferPointer(
          start: network.forward(x, batchSize: batch), count: batch * network.outputWidth))
    }
    upstream.withPointer { network.backward(outputGradient: $0) }
    let inputGradient = Array(
      UnsafeBufferPointer(start: try #require(network.inputGradient), count: input.count))
    let grid = network.buffers.storage.array.map(Double.init)
    let sizes = configuration.spatialSizes

    func referenceLogits(parameters: [Double], input: [Double]) -> [Double] {
      var current = input
      let layers = configuration.convolutions
      for (index, layer) in layers.enumerated() {
        current = Self.referenceConvolution(
          layer.self, layer: network.convolutions[index], parameters: parameters, grid: grid,
          input: current, batch: batch, height: sizes[index].height, width: sizes[index].width)
        let pixels = sizes[index + 1].height * sizes[index + 1].width
        if index + 1 < layers.count {
          let norm = network.norms[index]
          current = Self.referenceNorm(
            current, batch: batch, channels: norm.channels, pixels: pixels,
            gamma: Array(parameters[norm.gamma.offset..<(norm.gamma.offset + norm.channels)]),
            beta: Array(parameters[norm.beta.offset..<(norm.beta.offset + norm.channels)]))
        } else {
          current = (0..<(batch * layer.outChannels)).map { plane in
            current[(plane * pixels)..<((plane + 1) * pixels)].reduce(0, +) / Double(pixels)
          }
        }
      }
      return current
    }
    func loss(parameters: [Double], input: [Double]) -> Double {
      zip(referenceLogits(parameters: parameters, input: input), upstream).reduce(0) {
        $0 + $1.0 * Double($1.1)
      }
    }
    let point = network.parameters.storage.array.map(Double.init)
    let x = input.map(Double.init)
    let reference = referenceLogits(parameters: point, input: x)
    let forwardError = zip(logits, reference).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(forwardError < 1e-4, "forward: max error \(forwardError)")
    Self.expectFiniteDifferences(
      "dL/dθ", point: point,
      indices: Array(stride(from: 0, to: point.count, by: 9))
        + network.norms.flatMap { Array($0.gamma.offset..<($0.beta.offset + $0.channels)) },
      analytic: network.gradients.array
    ) { loss(parameters: $0, input: x) }
    Self.expectFiniteDifferences(
      "dL/dx", point: x, indices: Array(x.indices), analytic: inputGradient
    ) { loss(parameters: point, input: $0) }
  }
}
