import Foundation
import KANLib
import Testing

/// Every backward pass against central finite differences of an independent Double model,
/// including inputs outside the grid range and outside the extended knots.
@Suite struct GradientCheckTests {
  struct Case: Sendable, CustomStringConvertible {
    let widths: [Int]
    let gridSize: Int
    let splineOrder: Int
    let activation: BaseActivation
    let standaloneScaler: Bool
    /// Whether to adapt the grids to skewed data first (then some inputs' knots are not uniform
    /// and take the general Cox–de Boor path next to SIMD groups).
    var adaptGrid = false
    var description: String {
      "\(widths) G\(gridSize) k\(splineOrder) \(activation) scaler=\(standaloneScaler)"
        + (adaptGrid ? " adapted" : "")
    }
  }

  static let cases: [Case] = [
    Case(
      widths: [3, 4, 2], gridSize: 5, splineOrder: 3, activation: .silu, standaloneScaler: true),
    Case(
      widths: [2, 3, 3], gridSize: 3, splineOrder: 2, activation: .identity, standaloneScaler: true),
    Case(widths: [4, 2], gridSize: 4, splineOrder: 1, activation: .silu, standaloneScaler: false),
    Case(
      widths: [2, 2, 2], gridSize: 6, splineOrder: 3, activation: .zero, standaloneScaler: true),
    // Eight or more inputs: SIMD groups of eight plus a tail (and derivatives in layer 2).
    Case(
      widths: [19, 9, 3], gridSize: 5, splineOrder: 3, activation: .silu, standaloneScaler: true),
    Case(
      widths: [17, 8, 2], gridSize: 3, splineOrder: 2, activation: .silu, standaloneScaler: false,
      adaptGrid: true),
    Case(
      widths: [16, 2], gridSize: 2, splineOrder: 8, activation: .identity, standaloneScaler: true),
  ]

  /// Inputs: most inside [-1, 1], some in the extension, some beyond every knot.
  static func inputs(batch: Int, width: Int, generator: inout KANRandom) -> [Float] {
    var values = (0..<(batch * width)).map { _ in generator.uniform(-1.6, 1.6) }
    values[0] = 2.9
    values[values.count - 1] = -3.1
    // Wide cases (k ≥ 2, so the derivative is continuous there): exactly on knots of the G = 5
    // grid, and on its first knot.
    if width >= 8 {
      values[5] = -1
      values[6] = 0.2
      values[7] = -1 - 3 * 0.4
      values[8] = 1
    }
    return values
  }

  @Test(arguments: cases)
  func kanGradientsMatchFiniteDifferences(_ testCase: Case) throws {
    var configuration = KANConfiguration()
    configuration.gridSize = testCase.gridSize
    configuration.splineOrder = testCase.splineOrder
    configuration.baseActivation = testCase.activation
    configuration.standaloneScaler = testCase.standaloneScaler
    var generator = KANRandom(seed: 7)
    let network = try KAN(
      widths: testCase.widths, configuration: configuration, generator: &generator)
    // Larger spline weights than the tiny initialization, so every term matters.
    for index in 0..<network.parameters.count {
      network.parameters.storage[index] += generator.uniform(-0.5, 0.5)
    }
    if testCase.adaptGrid {
      // Adapt to data skewed towards -1, then give the first layer's first eight inputs their
      // uniform knots back: one SIMD group, one general group, a general tail.
      let uniformGrid = network.buffers.storage.array
      let firstLayer = network.layers[0]
      let width = testCase.widths[0]
      let samples = (0..<(32 * width)).map { index -> Float in
        let u = generator.nextFloat()
        return index % 2 == 0 ? u * u * 2 - 1 : generator.uniform(-1, 1)
      }
      try samples.withPointer { try network.updateGrid(input: $0, batchSize: 32) }
      let restored =
        firstLayer.grid
        .offset..<(firstLayer.grid.offset
        + 8 * firstLayer.configuration.knotCount)
      for index in restored { network.buffers.storage[index] = uniformGrid[index] }
    }
    network.computesInputGradient = true
    let batch = 5
    let x = Self.inputs(batch: batch, width: testCase.widths[0], generator: &generator)
    let upstream = (0..<(batch * network.outputWidth)).map { _ in generator.uniform(-1, 1) }

    network.zeroGradients()
    _ = x.withPointer { network.forward($0, batchSize: batch) }
    upstream.withPointer { network.backward(outputGradient: $0) }
    let parameterGradient = network.gradients.array
    let inputGradient = Array(
      UnsafeBufferPointer(start: try #require(network.inputGradient), count: x.count))

    let reference = ReferenceKAN(network)
    let parameters = network.parameters.storage.array.map(Double.init)
    let rows = { (flat: [Double]) in
      (0..<batch).map { Array(flat[($0 * testCase.widths[0])...].prefix(testCase.widths[0])) }
    }
    let upstreamDouble = upstream.map(Double.init)
    func loss(_ output: [[Double]]) -> Double {
      zip(output.joined(), upstreamDouble).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let xDouble = x.map(Double.init)
    let expectedParameters = finiteDifferences(parameters) {
      loss(reference.forward(parameters: $0, input: rows(xDouble)))
    }
    let expectedInput = finiteDifferences(xDouble) {
      loss(reference.forward(parameters: parameters, input: rows($0)))
    }
    let parameterError = worstRelativeError(parameterGradient, expectedParameters)
    let inputError = worstRelativeError(inputGradient, expectedInput)
    #expect(parameterError < 1e-3, "\(testCase): parameter gradient error \(parameterError)")
    #expect(inputError < 1e-3, "\(testCase): input gradient error \(inputError)")
  }

  @Test func mlpGradientsMatchFiniteDifferences() throws {
    var generator = KANRandom(seed: 3)
    let widths = [3, 5, 4, 2]
    let network = MLP(widths: widths, activation: .tanh, generator: &generator)
    network.computesInputGradient = true
    let batch = 4
    let x = (0..<(batch * 3)).map { _ in generator.uniform(-2, 2) }
    let labels: [Int32] = [0, 1, 1, 0]
    var outputGradient = [Float](repeating: 0, count: batch * 2)
    network.zeroGradients()
    let logits = x.withPointer { network.forward($0, batchSize: batch) }
    _ = labels.withUnsafeBufferPointer { labelPointer in
      outputGradient.withUnsafeMutableBufferPointer { gradient in
        SoftmaxCrossEntropy.loss(
          logits: logits, labels: labelPointer.start("test"), batchSize: batch,
          classes: 2, gradient: gradient.baseAddress)
      }
    }
    outputGradient.withPointer { network.backward(outputGradient: $0) }
    let parameterGradient = network.gradients.array
    let inputGradient = Array(
      UnsafeBufferPointer(start: try #require(network.inputGradient), count: x.count))

    func referenceLoss(parameters p: [Double], input: [Double]) -> Double {
      var total = 0.0
      for row in 0..<batch {
        var h = Array(input[(row * 3)..<(row * 3 + 3)])
        for (index, layer) in network.layers.enumerated() {
          var z = (0..<layer.outFeatures).map { o in
            p[layer.bias.offset + o]
              + (0..<layer.inFeatures).reduce(0.0) {
                $0 + p[layer.weight.offset + o * layer.inFeatures + $1] * h[$1]
              }
          }
          if index < network.layers.count - 1 { z = z.map { tanh($0) } }
          h = z
        }
        let maximum = h.max() ?? 0
        let logSum = log(h.reduce(0) { $0 + exp($1 - maximum) }) + maximum
        total += logSum - h[Int(labels[row])]
      }
      return total / Double(batch)
    }
    let parameters = network.parameters.storage.array.map(Double.init)
    let xDouble = x.map(Double.init)
    let expectedParameters = finiteDifferences(parameters) {
      referenceLoss(parameters: $0, input: xDouble)
    }
    let expectedInput = finiteDifferences(xDouble) {
      referenceLoss(parameters: parameters, input: $0)
    }
    #expect(worstRelativeError(parameterGradient, expectedParameters) < 1e-3)
    #expect(worstRelativeError(inputGradient, expectedInput) < 1e-3)
  }

  @Test func meanSquaredErrorGradientMatchesFiniteDifferences() {
    var generator = KANRandom(seed: 11)
    let predictions = (0..<12).map { _ in generator.uniform(-3, 3) }
    let targets = (0..<12).map { _ in generator.uniform(-3, 3) }
    var gradient = [Float](repeating: 0, count: 12)
    let value = predictions.withPointer { p in
      targets.withPointer { t in
        gradient.withUnsafeMutableBufferPointer {
          MeanSquaredError.loss(predictions: p, targets: t, count: 12, gradient: $0.baseAddress)
        }
      }
    }
    let targetDouble = targets.map(Double.init)
    func reference(_ p: [Double]) -> Double {
      zip(p, targetDouble).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 12
    }
    let predictionDouble = predictions.map(Double.init)
    #expect(abs(Double(value) - reference(predictionDouble)) < 1e-5)
    #expect(worstRelativeError(gradient, finiteDifferences(predictionDouble, reference)) < 1e-4)
  }

  @Test func regularizationGradientMatchesFiniteDifferences() throws {
    var generator = KANRandom(seed: 5)
    let network = try KAN(widths: [3, 2], generator: &generator)
    let layer = network.layers[0]
    for index in 0..<layer.splineWeight.count {
      network.parameters.storage[layer.splineWeight.offset + index] = generator.uniform(-1, 1)
    }
    network.zeroGradients()
    _ = network.regularizationLoss(activation: 0.7, entropy: 1.3, accumulateGradients: true)
    let analytic = Array(
      UnsafeBufferPointer(
        start: network.gradients.pointer + layer.splineWeight.offset,
        count: layer.splineWeight.count))
    let weights = network.parameters.values(of: layer.splineWeight).map(Double.init)
    let count = Double(layer.configuration.coefficientCount)
    func reference(_ w: [Double]) -> Double {
      let edges = stride(from: 0, to: w.count, by: Int(count)).map { start in
        w[start..<(start + Int(count))].reduce(0) { $0 + abs($1) } / count
      }
      let total = edges.reduce(0, +)
      let entropy = -edges.reduce(0) { $0 + ($1 / total) * log($1 / total) }
      return 0.7 * total + 1.3 * entropy
    }
    #expect(worstRelativeError(analytic, finiteDifferences(weights, reference)) < 1e-3)
  }
}
