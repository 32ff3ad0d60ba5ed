import Foundation
import KANLib
import Testing

/// FastKAN (Gaussian RBF) and ChebyKAN (Chebyshev) layers: golden values from each published
/// formula, an independent Double model, and finite-difference gradients.
@Suite struct BasisKANTests {
  /// Sets tensor t's element k to 0.25·sin(1.3·(k + 1) + t) (γ of a layer norm: 1 + that), as
  /// `scripts/golden_bases.py` does.
  static func setPattern(_ network: Network) {
    for (t, entry) in network.parameters.entries.enumerated() {
      let offset: Float = entry.name.hasSuffix("layernorm.weight") ? 1 : 0
      network.parameters.assign(
        (0..<entry.count).map { offset + Float(0.25 * sin(1.3 * Double($0 + 1) + Double(t))) },
        to: entry)
    }
  }

  static func patternInput(batch: Int, width: Int) -> [Float] {
    (0..<(batch * width)).map { Float(0.9 * cos(0.5 * Double($0) + 0.3)) }
  }

  static func run(_ network: Network, _ input: [Float]) -> [Float] {
    let batch = input.count / network.inputWidth
    return input.withUnsafeBufferPointer { pointer in
      let output = network.forward(pointer.start("test"), batchSize: batch)
      return Array(UnsafeBufferPointer(start: output, count: batch * network.outputWidth))
    }
  }

  /// Golden outputs from `scripts/golden_bases.py` (numpy, float64): FastKAN's `FastKANLayer`
  /// forward (layer norm → exp(−((x̂ − c)/h)²) → linear, plus SiLU(x) → linear with bias) and
  /// ChebyKAN's `ChebyKANLayer` forward in its cos(d·arccos(tanh x)) form.
  @Test func goldenValuesFromThePublishedFormulas() {
    let fast = BasisKAN.fastKAN(widths: [3, 4, 2], centerCount: 5, gridLower: -2, gridUpper: 2)
    fast.layers.forEach { $0.resetGrid(buffers: fast.buffers.storage.pointer) }
    Self.setPattern(fast)
    let fastGolden = [
      -0.5374715555565795, -0.2498378547843963, -0.5837020961944704, -0.28134004039303206,
      -0.569134549617941, -0.38181492935007766,
    ]
    let fastOutput = Self.run(fast, Self.patternInput(batch: 3, width: 3))
    for (ours, golden) in zip(fastOutput, fastGolden) {
      #expect(abs(Double(ours) - golden) < 2e-6, "FastKAN \(ours) vs \(golden)")
    }
    let cheby = BasisKAN.chebyKAN(widths: [3, 4, 2], degree: 4)
    Self.setPattern(cheby)
    let chebyGolden = [
      0.6711042837083422, 0.1948079669560738, -1.139342082416913, -1.454756568928226,
      0.032559087206958326, -0.4618587250469136,
    ]
    let chebyOutput = Self.run(cheby, Self.patternInput(batch: 3, width: 3))
    for (ours, golden) in zip(chebyOutput, chebyGolden) {
      #expect(abs(Double(ours) - golden) < 2e-6, "ChebyKAN \(ours) vs \(golden)")
    }
  }

  /// An independent Double model of either network, from the formulas.
  static func reference(_ network: Network, parameters p: [Double], input: [Double]) -> [Double] {
    let batch = input.count / network.inputWidth
    var x = input
    func tensor(_ name: String) -> (Int, Int) {
      guard let entry = network.parameters.entry(named: name) else {
        preconditionFailure("no tensor \(name)")
      }
      return (entry.offset, entry.count)
    }
    for (index, (inWidth, outWidth)) in zip(network.widths, network.widths.dropFirst())
      .enumerated()
    {
      var y = [Double](repeating: 0, count: batch * outWidth)
      if let fast = network as? BasisKAN<FastKANLayer> {
        let layer = fast.layers[index]
        let g = layer.centerCount
        let h = Double(layer.gridUpper - layer.gridLower) / Double(g - 1)
        let (gamma, _) = tensor("layers.\(index).layernorm.weight")
        let (beta, _) = tensor("layers.\(index).layernorm.bias")
        let (spline, _) = tensor("layers.\(index).spline_linear.weight")
        let (baseW, _) = tensor("layers.\(index).base_linear.weight")
        let (baseB, _) = tensor("layers.\(index).base_linear.bias")
        for b in 0..<batch {
          let row = Array(x[(b * inWidth)..<((b + 1) * inWidth)])
          let mean = row.reduce(0, +) / Double(inWidth)
          let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(inWidth)
          for o in 0..<outWidth {
            var sum = p[baseB + o]
            for i in 0..<inWidth {
              let xn = (row[i] - mean) / (variance + 1e-5).squareRoot() * p[gamma + i] + p[beta + i]
              for c in 0..<g {
                let centre = Double(layer.gridLower) + Double(c) * h
                let z = (xn - centre) / h
                sum += exp(-z * z) * p[spline + o * inWidth * g + i * g + c]
              }
              sum += row[i] / (1 + exp(-row[i])) * p[baseW + o * inWidth + i]
            }
            y[b * outWidth + o] = sum
          }
        }
      } else if let cheby = network as? BasisKAN<ChebyKANLayer> {
        let degree = cheby.layers[index].degree
        let (coefficients, _) = tensor("layers.\(index).cheby_coeffs")
        for b in 0..<batch {
          for o in 0..<outWidth {
            var sum = 0.0
            for i in 0..<inWidth {
              let t = tanh(x[b * inWidth + i])
              for d in 0...degree {
                sum +=
                  cos(Double(d) * acos(t)) * p[coefficients + (i * outWidth + o) * (degree + 1) + d]
              }
            }
            y[b * outWidth + o] = sum
          }
        }
      }
      x = y
    }
    return x
  }

  static let names = [
    "FastKAN [4, 3, 2] G6", "FastKAN [9, 2] G3", "ChebyKAN [4, 3, 2] D4", "ChebyKAN [3, 2] D1",
    "ChebyKAN [2, 5, 1] D7",
  ]

  static func network(_ which: Int) -> Network {
    switch which {
    case 0:
      return BasisKAN.fastKAN(widths: [4, 3, 2], centerCount: 6, gridLower: -1.5, gridUpper: 1.5)
    case 1: return BasisKAN.fastKAN(widths: [9, 2], centerCount: 3, gridLower: -2, gridUpper: 2)
    case 2: return BasisKAN.chebyKAN(widths: [4, 3, 2], degree: 4)
    case 3: return BasisKAN.chebyKAN(widths: [3, 2], degree: 1)
    default: return BasisKAN.chebyKAN(widths: [2, 5, 1], degree: 7)
    }
  }

  /// Forward against the Double model, and every parameter and input gradient of
  /// L = Σ y·r against central differences of it (step 1e-6).
  @Test(arguments: 0..<5)
  func gradientsMatchFiniteDifferences(_ which: Int) throws {
    let name = Self.names[which]
    let network = Self.network(which)
    var generator = KANRandom(seed: 5)
    if let fast = network as? BasisKAN<FastKANLayer> {
      fast.initialize(generator: &generator)
    } else if let cheby = network as? BasisKAN<ChebyKANLayer> {
      cheby.initialize(generator: &generator)
    }
    // Larger weights than the initialization, so every term matters.
    for index in 0..<network.parameters.count {
      network.parameters.storage[index] += generator.uniform(-0.5, 0.5)
    }
    let batch = 5
    let input = (0..<(batch * network.inputWidth)).map { _ in generator.uniform(-1.8, 1.8) }
    let weights = (0..<(batch * network.outputWidth)).map { _ in generator.uniform(-1, 1) }
    network.computesInputGradient = true
    network.zeroGradients()
    let output = Self.run(network, input)
    weights.withUnsafeBufferPointer { network.backward(outputGradient: $0.start("test")) }
    let inputGradient = Array(
      UnsafeBufferPointer(
        start: try #require(network.inputGradient), count: batch * network.inputWidth))

    let parameters = network.parameters.storage.array.map(Double.init)
    let x = input.map(Double.init)
    let expected = Self.reference(network, parameters: parameters, input: x)
    for (ours, reference) in zip(output, expected) {
      #expect(abs(Double(ours) - reference) < 1e-5 * max(1, abs(reference)), "\(name) forward")
    }
    func loss(_ p: [Double], _ x: [Double]) -> Double {
      zip(Self.reference(network, parameters: p, input: x), weights).map { $0 * Double($1) }
        .reduce(0, +)
    }
    /// Central difference of `f` in coordinate `index` of `point`, step 1e-6.
    func derivative(_ point: [Double], _ index: Int, _ f: ([Double]) -> Double) -> Double {
      var (plus, minus) = (point, point)
      plus[index] += 1e-6
      minus[index] -= 1e-6
      return (f(plus) - f(minus)) / 2e-6
    }
    func check(_ analytic: Float, _ numeric: Double, _ what: String) {
      #expect(
        abs(Double(analytic) - numeric) < 2e-3 * max(1, abs(numeric)),
        "\(name) \(what): backward \(analytic), finite differences \(numeric)")
    }
    for index in 0..<parameters.count {
      check(
        network.gradients[index], derivative(parameters, index) { loss($0, x) },
        "parameter \(index)")
    }
    for index in 0..<x.count {
      check(inputGradient[index], derivative(x, index) { loss(parameters, $0) }, "input \(index)")
    }
  }

  /// The bases as a sweep axis: training runs and lowers the error, checkpoints round-trip with
  /// the projects' tensor names, and the same seed gives the same bytes.
  @Test(arguments: [BasisKind.rbf, .chebyshev])
  func basisTrialsTrainSaveAndReload(_ basis: BasisKind) throws {
    var configuration = TrainingConfiguration()
    configuration.dataset = .toyExpSin
    configuration.basis = basis
    configuration.hiddenLayers = [5]
    configuration.gridRange = [-2, 2]
    configuration.epochs = 6
    configuration.batchSize = 32
    configuration.learningRate = 1e-2
    configuration.trainLimit = 512
    configuration.testLimit = 256
    #expect(configuration.problems.isEmpty)
    let data = try TrainingData.load(for: configuration, dataDirectory: nil, verify: true)
    var hashes: [String] = []
    for _ in 0..<2 {
      let trainer = try Trainer(configuration: configuration, data: data)
      let before = try #require(trainer.evaluate(.test).rmse)
      let result = try trainer.run()
      let after = try #require(result.epochs.last?.testRMSE)
      #expect(after < before * 0.7, "\(basis): RMSE \(before) → \(after)")
      #expect(trainer.network.parameterCount == configuration.cost().parameters)
      let path = FileManager.default.temporaryDirectory.appendingPathComponent(
        "basis-\(basis)-\(UUID().uuidString).safetensors"
      ).path
      defer { try? FileManager.default.removeItem(atPath: path) }
      hashes.append(
        try Checkpoint.save(trainer.network, configuration: configuration, to: path).sha256)
      let loaded = try Checkpoint.load(path: path)
      #expect(loaded.network.widths == [2, 5, 1])
      #expect(loaded.network.parameters.storage.array == trainer.network.parameters.storage.array)
      #expect(loaded.network.buffers.storage.array == trainer.network.buffers.storage.array)
      let names = loaded.network.parameters.entries.map(\.name)
      #expect(
        names.contains(basis == .rbf ? "layers.1.spline_linear.weight" : "layers.1.cheby_coeffs"))
    }
    #expect(hashes[0] == hashes[1])
  }

  @Test func basisProblemsNameTheParameter() {
    var configuration = TrainingConfiguration()
    configuration.dataset = .toyExpSin
    configuration.basis = .rbf
    configuration.hiddenLayers = [1]
    configuration.updateGridEvery = 5
    #expect(Set(configuration.problems.map(\.key)) == ["hidden_layers", "update_grid_every"])
    configuration.basis = .chebyshev
    configuration.hiddenLayers = [4]
    configuration.updateGridEvery = 0
    configuration.gridSchedule = [5, 10]
    #expect(
      configuration.problems.map { "\($0.key) \($0.message)" } == [
        "grid_schedule applies to basis bspline only (this trial's basis is chebyshev)"
      ])
  }
}
