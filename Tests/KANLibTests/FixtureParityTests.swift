import Foundation
import KANLib
import Testing

/// Golden parity with efficient-kan: every fixture file in `KAN_FIXTURES_DIR` is checked by
/// its `__metadata__["kind"]`; new files are picked up without code changes.
@Suite struct FixtureParityTests {
  static let outputTolerance: Float = 1e-5
  static let refitTolerance: Float = 1e-4

  /// The kinds this suite checks, and the ones other suites own.
  static let parityKinds = [
    "kan_linear", "update_grid", "kan_network", "kan_conv2d", "conv_kan_network",
  ]
  static let otherKinds: Set<String?> = ["checkpoint_expectations", nil]  // checkpoint tests

  @Test func everyFixtureMatchesEfficientKAN() throws {
    let checked = try Self.checkFolder(Fixtures.directory)
    #expect(
      !checked.isEmpty,
      "\(Fixtures.directory) holds no fixture of a kind this suite knows (\(Self.parityKinds))")
  }

  /// convkan's fixtures (`../shared/fixtures/convkan`, or `KAN_FIXTURES_DIR` when set).
  @Test func everyConvolutionFixtureMatchesConvkan() throws {
    let checked = try Self.checkFolder(Fixtures.convolutionDirectory)
    #expect(
      !checked.isEmpty,
      "\(Fixtures.convolutionDirectory) holds no fixture of a kind this suite knows (\(Self.parityKinds))"
    )
  }

  /// A folder without any known kind fails the suite rather than passing with nothing checked.
  @Test func aFolderOfUnknownKindsChecksNothing() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "fixtures-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = SafeTensors(
      tensors: ["x": .init(floats: [1], shape: [1])],
      metadata: ["kind": "\"kan_conv3d\""])
    try Data(file.serialized()).write(to: folder.appendingPathComponent("c.safetensors"))
    #expect(try Self.checkFolder(folder.path, recordUnknown: false).isEmpty)
  }

  /// Checks every fixture of a known kind in `directory`; returns the names of the files checked.
  /// Files of a kind no suite knows are recorded as issues (a new kind needs a checker).
  static func checkFolder(_ directory: String, recordUnknown: Bool = true) throws -> [String] {
    var checked: [String] = []
    let files = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.hasSuffix(".safetensors") }.sorted()
    for name in files {
      let file = try SafeTensors.read(path: directory + "/" + name)
      let kind = Fixtures.metadataValue(file, "kind") as? String
      let comparisons: [Comparison]
      switch kind {
      case "kan_linear": comparisons = try Self.checkLinear(file)
      case "update_grid": comparisons = try Self.checkUpdateGrid(file)
      case "kan_network": comparisons = try Self.checkNetwork(file)
      case "kan_conv2d": comparisons = try Self.checkConvolution(file)
      case "conv_kan_network": comparisons = try Self.checkConvolutionNetwork(file)
      default:
        if recordUnknown && !otherKinds.contains(kind) {
          Issue.record("\(name): fixture kind \(kind ?? "none") has no checker")
        }
        continue
      }
      checked.append(name)
      for comparison in comparisons {
        print("fixture \(name) \(comparison)")
        #expect(comparison.passes, "\(name): \(comparison)")
      }
    }
    return checked
  }

  static func checkLinear(_ file: SafeTensors) throws -> [Comparison] {
    let x = try file.tensor("x")
    let y = try file.tensor("y")
    let network = KAN(
      widths: [x.shape[1], y.shape[1]], configuration: Fixtures.kanConfiguration(file))
    try Fixtures.load(network, from: file, singleLayer: true)
    network.computesInputGradient = true
    let batch = x.shape[0]
    let input = x.floats
    let output = input.withPointer { pointer in
      Array(UnsafeBufferPointer(start: network.forward(pointer, batchSize: batch), count: y.count))
    }
    let bases = input.withPointer { pointer in
      network.layers[0].bases(
        input: pointer, batchSize: batch, buffers: network.buffers.storage.pointer)
    }
    network.zeroGradients()
    try file.tensor("upstream_grad").floats.withPointer { network.backward(outputGradient: $0) }
    let gradX = Array(
      UnsafeBufferPointer(start: try #require(network.inputGradient), count: x.count))
    let layer = network.layers[0]
    var results = [
      Comparison("y", actual: output, expected: y.floats, tolerance: outputTolerance),
      Comparison(
        "bases", actual: bases, expected: try file.tensor("bases").floats,
        tolerance: outputTolerance),
      Comparison(
        "grad_x", actual: gradX, expected: try file.tensor("grad_x").floats,
        tolerance: outputTolerance),
      Comparison(
        "grad_base_weight", actual: gradient(network, layer.baseWeight),
        expected: try file.tensor("grad_base_weight").floats, tolerance: outputTolerance),
      Comparison(
        "grad_spline_weight", actual: gradient(network, layer.splineWeight),
        expected: try file.tensor("grad_spline_weight").floats, tolerance: outputTolerance),
    ]
    if let scaler = layer.splineScaler {
      results.append(
        Comparison(
          "grad_spline_scaler", actual: gradient(network, scaler),
          expected: try file.tensor("grad_spline_scaler").floats, tolerance: outputTolerance))
    }
    network.zeroGradients()
    let regularization = network.regularizationLoss(
      activation: 1, entropy: 1, accumulateGradients: true)
    results.append(
      Comparison(
        "regularization_loss", actual: [regularization],
        expected: try file.tensor("regularization_loss").floats, tolerance: outputTolerance))
    results.append(
      Comparison(
        "grad_regularization_spline_weight", actual: gradient(network, layer.splineWeight),
        expected: try file.tensor("grad_regularization_spline_weight").floats,
        tolerance: outputTolerance))
    return results
  }

  static func checkUpdateGrid(_ file: SafeTensors) throws -> [Comparison] {
    let x = try file.tensor("x")
    let yBefore = try file.tensor("y_before")
    let network = KAN(
      widths: [x.shape[1], yBefore.shape[1]], configuration: Fixtures.kanConfiguration(file))
    try Fixtures.load(network, from: file, singleLayer: true)
    let batch = x.shape[0]
    let input = x.floats
    let margin = Float(Fixtures.double(file, "margin") ?? 0.01)
    let before = input.withPointer { pointer in
      Array(
        UnsafeBufferPointer(start: network.forward(pointer, batchSize: batch), count: yBefore.count)
      )
    }
    try input.withPointer { try network.updateGrid(input: $0, batchSize: batch, margin: margin) }
    let after = input.withPointer { pointer in
      Array(
        UnsafeBufferPointer(start: network.forward(pointer, batchSize: batch), count: yBefore.count)
      )
    }
    let layer = network.layers[0]
    return [
      Comparison("y_before", actual: before, expected: yBefore.floats, tolerance: outputTolerance),
      Comparison(
        "grid_after", actual: network.buffers.values(of: layer.grid),
        expected: try file.tensor("grid_after").floats, tolerance: outputTolerance),
      Comparison(
        "spline_weight_after", actual: network.parameters.values(of: layer.splineWeight),
        expected: try file.tensor("spline_weight_after").floats, tolerance: refitTolerance),
      Comparison(
        "y_after", actual: after, expected: try file.tensor("y_after").floats,
        tolerance: refitTolerance),
    ]
  }

  static func checkNetwork(_ file: SafeTensors) throws -> [Comparison] {
    guard let widths = (Fixtures.metadataValue(file, "widths") as? [NSNumber])?.map(\.intValue),
      let optimizer = Fixtures.metadataValue(file, "optimizer") as? [String: Any],
      let betas = optimizer["betas"] as? [NSNumber],
      let steps = (optimizer["steps"] as? NSNumber)?.intValue
    else {
      throw FixtureError("kan_network fixture without widths or optimizer metadata")
    }
    let network = KAN(widths: widths, configuration: Fixtures.kanConfiguration(file))
    try Fixtures.load(network, from: file, prefix: "init.")
    let adamW = AdamW(
      parameterCount: network.parameterCount,
      learningRate: Float((optimizer["lr"] as? NSNumber)?.doubleValue ?? 1e-3),
      beta1: betas[0].floatValue, beta2: betas[1].floatValue,
      epsilon: Float((optimizer["eps"] as? NSNumber)?.doubleValue ?? 1e-8),
      weightDecay: Float((optimizer["weight_decay"] as? NSNumber)?.doubleValue ?? 1e-2))
    return try trainingComparisons(
      network, file: file, classes: widths[widths.count - 1], adamW: adamW, steps: steps
    ) { $0 }
  }

  /// A network fixture's checks: logits, loss and gradients of the first step, then the losses
  /// and every tensor after `steps` AdamW steps on the same batch. `fixtureName` maps a tensor's
  /// name in our arenas to the fixture's.
  static func trainingComparisons(
    _ network: Network, file: SafeTensors, classes: Int, adamW: AdamW, steps: Int,
    fixtureName: (String) -> String
  ) throws -> [Comparison] {
    let x = try file.tensor("x")
    let labels = try file.tensor("labels").integers.map { Int32($0) }
    let batch = x.shape[0]
    let input = x.floats
    var gradientBuffer = [Float](repeating: 0, count: batch * classes)

    func step() -> (logits: [Float], loss: Float) {
      network.zeroGradients()
      let logits = input.withPointer { network.forward($0, batchSize: batch) }
      let loss = labels.withUnsafeBufferPointer { labelPointer in
        gradientBuffer.withUnsafeMutableBufferPointer { gradient in
          SoftmaxCrossEntropy.loss(
            logits: logits, labels: labelPointer.start("test"), batchSize: batch,
            classes: classes, gradient: gradient.baseAddress)
        }
      }
      let copy = Array(UnsafeBufferPointer(start: logits, count: batch * classes))
      gradientBuffer.withPointer { network.backward(outputGradient: $0) }
      return (copy, loss)
    }

    var results: [Comparison] = []
    let first = step()
    results.append(
      Comparison(
        "logits", actual: first.logits, expected: try file.tensor("logits").floats,
        tolerance: outputTolerance))
    results.append(
      Comparison(
        "loss", actual: [first.loss], expected: try file.tensor("loss").floats,
        tolerance: outputTolerance))
    for entry in network.parameters.entries {
      results.append(
        Comparison(
          "grad.\(entry.name)", actual: gradient(network, entry),
          expected: try file.tensor("grad." + fixtureName(entry.name)).floats,
          tolerance: outputTolerance))
    }
    var losses: [Float] = []
    for index in 0..<steps {
      let current = index == 0 ? first : step()
      losses.append(current.loss)
      adamW.update(parameters: network.parameters.storage, gradients: network.gradients)
    }
    results.append(
      Comparison(
        "adamw_losses", actual: losses, expected: try file.tensor("adamw_losses").floats,
        tolerance: refitTolerance))
    for entry in network.parameters.entries + network.buffers.entries {
      let arena =
        network.parameters.entry(named: entry.name) == nil ? network.buffers : network.parameters
      results.append(
        Comparison(
          "after_adamw.\(entry.name)", actual: arena.values(of: entry),
          expected: try file.tensor("after_adamw." + fixtureName(entry.name)).floats,
          tolerance: refitTolerance))
    }
    return results
  }

  static func gradient(_ network: Network, _ entry: TensorEntry) -> [Float] {
    Array(UnsafeBufferPointer(start: network.gradients.pointer + entry.offset, count: entry.count))
  }
}

struct FixtureError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
