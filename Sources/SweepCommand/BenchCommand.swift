import ArgumentParser
import Foundation
import KANLib

/// `sweep bench`: the KAN training step against the BLAS roofline on the same shapes.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract:
      "Time KAN (or conv_kan) training steps on random data and compare with sgemm alone (build with -c release).",
    discussion: """
      Prints samples/s, ms per step split into basis, GEMM, elementwise and optimizer time, the \
      step's GEMM FLOPs, the achieved GFLOP/s, and the roofline: the GFLOP/s that cblas_sgemm \
      alone reaches on the same shapes in the same process.
      """)

  @Option(help: "kan, or conv_kan (convkan's architecture on random 1×28×28 images).")
  var model = "kan"
  @Option(help: "Layer widths, e.g. 784,64,10 (kan).")
  var widths = "784,64,10"
  @Option(
    name: .customLong("conv-channels"),
    help: "conv_kan: channels of the convolutions before the last (10 classes).")
  var convChannels = "32,32"
  @Option(name: .customLong("conv-strides"), help: "conv_kan: every convolution's stride.")
  var convStrides = "1,2,2"
  @Option(name: .customLong("grid-size"), parsing: .unconditional, help: "KAN grid intervals G.")
  var gridSize = 5
  @Option(name: .customLong("spline-order"), parsing: .unconditional, help: "KAN spline degree k.")
  var splineOrder = 3
  @Option(name: .customLong("base-activation"), help: "silu, identity or zero.")
  var baseActivation = "silu"
  @Option(
    name: .customLong("batch-size"), parsing: .unconditional,
    help: "Samples per step (default 64; conv_kan 128, convkan's).")
  var batchSize: Int?
  @Option(parsing: .unconditional, help: "OpenBLAS threads.")
  var threads = 1
  @Option(parsing: .unconditional, help: "Timed steps.")
  var steps = 300
  @Option(parsing: .unconditional, help: "Untimed warm-up steps.")
  var warmup = 30
  @Flag(
    name: .customLong("adapted-grid"),
    help:
      "Adapt the grids to the random batch first (non-uniform knots: the general B-spline path).")
  var adaptedGrid = false
  @Flag(help: "Print one JSON object.")
  var json = false

  func validate() throws {
    try check("--grid-size", gridSize, in: 1...1000)
    try check("--spline-order", splineOrder, in: 1...10)
    if let batchSize { try check("--batch-size", batchSize, in: 1...1_000_000) }
    guard ["kan", "conv_kan"].contains(model) else {
      throw ValidationError("unknown --model '\(model)'; choose kan or conv_kan")
    }
    try check("--threads", threads, in: 1...512)
    try check("--steps", steps, in: 1...10_000_000)
    try check("--warmup", warmup, in: 0...10_000_000)
  }

  /// Positive integers separated by commas, or a validation error naming `option`.
  static func integers(_ text: String, option: String, example: String) throws -> [Int] {
    let values = text.split(separator: ",").compactMap {
      Int($0.trimmingCharacters(in: .whitespaces))
    }
    guard !values.isEmpty, values.allSatisfy({ $0 > 0 }),
      values.count == text.split(separator: ",").count
    else {
      throw ValidationError(
        "\(option) must be positive integers separated by commas, e.g. \(example)")
    }
    return values
  }

  func run() throws {
    BLAS.threads = threads
    var configuration = KANConfiguration()
    configuration.gridSize = gridSize
    configuration.splineOrder = splineOrder
    guard let activation = BaseActivation(rawValue: baseActivation) else {
      throw ValidationError("unknown --base-activation '\(baseActivation)'")
    }
    configuration.baseActivation = activation
    var generator = KANRandom(seed: 1)
    let network: Network
    let layerWidths: [Int]
    let batchSize: Int
    // GEMM shapes of one step: forward y = F·Wᵀ, dW = dyᵀ·F, and dF = dy·W for every layer
    // but the first (conv_kan: per chunk of patch rows, as the layers run them).
    var shapes: [(BLAS.Transpose, BLAS.Transpose, Int, Int, Int)] = []
    var description: String
    if model == "conv_kan" {
      batchSize = self.batchSize ?? 128
      var architecture = ConvKANConfiguration()
      architecture.channels =
        try Self.integers(convChannels, option: "--conv-channels", example: "32,32") + [10]
      architecture.strides = try Self.integers(
        convStrides, option: "--conv-strides", example: "1,2,2")
      architecture.hyperparameters = configuration
      if let problem = architecture.problems.first {
        throw ValidationError(
          "--\(problem.key.replacingOccurrences(of: "_", with: "-")) \(problem.message)")
      }
      let convolutional = try ConvKAN(configuration: architecture, generator: &generator)
      let sizes = architecture.spatialSizes
      for (index, layer) in convolutional.convolutions.enumerated() {
        let c = layer.configuration.groupLayer
        let rows = batchSize * sizes[index + 1].height * sizes[index + 1].width
        let chunk = layer.chunkRows(of: rows)
        for _ in 0..<layer.configuration.groups {
          for first in stride(from: 0, to: rows, by: chunk) {
            let count = min(chunk, rows - first)
            shapes.append((.none, .transpose, count, c.outFeatures, c.featureWidth))
            shapes.append((.transpose, .none, c.outFeatures, c.featureWidth, count))
            if index > 0 { shapes.append((.none, .none, count, c.featureWidth, c.outFeatures)) }
          }
        }
      }
      network = convolutional
      layerWidths = convolutional.widths
      description =
        "conv_kan \([1] + architecture.channels) channels, strides \(architecture.strides)"
    } else {
      batchSize = self.batchSize ?? 64
      layerWidths = try Self.integers(widths, option: "--widths", example: "784,64,10")
      guard layerWidths.count >= 2 else {
        throw ValidationError("--widths must be at least two positive widths, e.g. 784,64,10")
      }
      let kan = try KAN(widths: layerWidths, configuration: configuration, generator: &generator)
      for (index, layer) in kan.layers.enumerated() {
        let c = layer.configuration
        let (out, width) = (c.outFeatures, c.featureWidth)
        shapes.append((.none, .transpose, batchSize, out, width))
        shapes.append((.transpose, .none, out, width, batchSize))
        if index > 0 { shapes.append((.none, .none, batchSize, width, out)) }
      }
      network = kan
      description = "KAN \(layerWidths)"
    }
    let optimizer = AdamW(
      parameterCount: network.parameterCount, learningRate: 1e-3, weightDecay: 1e-4)
    let classes = layerWidths[layerWidths.count - 1]
    let inputs = FloatBuffer(
      (0..<(batchSize * layerWidths[0])).map { _ in generator.uniform(-1, 1) })
    let labels = (0..<batchSize).map { _ in Int32(generator.below(classes)) }
    let gradient = FloatBuffer(count: batchSize * classes)
    if adaptedGrid, let kan = network as? KAN {
      try kan.updateGrid(input: inputs.pointer, batchSize: batchSize)
    }
    let profile = StepProfile()
    func attach(_ profile: StepProfile?) {
      (network as? KAN)?.profile = profile
      (network as? ConvKAN)?.profile = profile
    }

    func step() {
      network.zeroGradients()
      let logits = network.forward(inputs.pointer, batchSize: batchSize)
      profile.measure(.elementwise) {
        _ = labels.withUnsafeBufferPointer {
          SoftmaxCrossEntropy.loss(
            logits: logits, labels: $0.start("BenchCommand"), batchSize: batchSize,
            classes: classes,
            gradient: gradient.pointer)
        }
      }
      network.backward(outputGradient: gradient.pointer)
      profile.measure(.optimizer) {
        optimizer.update(parameters: network.parameters.storage, gradients: network.gradients)
      }
    }
    for _ in 0..<warmup { step() }
    attach(profile)
    profile.reset()
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { step() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    attach(nil)
    var flops = 0.0
    for shape in shapes { flops += 2 * Double(shape.2) * Double(shape.3) * Double(shape.4) }
    let roofline = Self.sgemmRoofline(shapes: shapes, iterations: steps, flopsPerRound: flops)
    let perStep = seconds / Double(steps)
    let achieved = flops / perStep / 1e9
    let categories: [(String, StepProfile.Category)] = [
      ("basis", .basis), ("gemm", .gemm), ("elementwise", .elementwise), ("optimizer", .optimizer),
    ]
    let split = categories.map { ($0.0, profile.seconds($0.1) / Double(steps) * 1000) }
    let accounted = split.reduce(0) { $0 + $1.1 }
    let samples = Double(batchSize) / perStep
    if json {
      var object: [String: Any] = [
        "model": model, "widths": layerWidths, "grid_size": gridSize, "spline_order": splineOrder,
        "batch_size": batchSize,
        "threads": BLAS.threads, "openblas_core": BLAS.coreName, "steps": steps,
        "samples_per_second": samples, "ms_per_step": perStep * 1000, "gemm_flops_per_step": flops,
        "achieved_gflops": achieved, "sgemm_roofline_gflops": roofline,
        "roofline_fraction": achieved / roofline,
        "parameters": network.parameterCount,
      ]
      for (name, value) in split { object["ms_\(name)"] = value }
      object["ms_other"] = perStep * 1000 - accounted
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    print(
      "\(description) G=\(gridSize) k=\(splineOrder) batch \(batchSize), \(network.parameterCount) parameters, "
        + "OpenBLAS \(BLAS.coreName) × \(BLAS.threads) thread(s), \(steps) steps")
    print(String(format: "samples/s            %.0f", samples))
    print(String(format: "ms per step          %.3f", perStep * 1000))
    for (name, value) in split + [("other", perStep * 1000 - accounted)] {
      print(
        "  " + name.padding(toLength: 19, withPad: " ", startingAt: 0)
          + String(format: "%.3f", value))
    }
    print(String(format: "GEMM FLOPs per step  %.1f M", flops / 1e6))
    print(String(format: "achieved             %.1f GFLOP/s (whole step)", achieved))
    print(String(format: "sgemm roofline       %.1f GFLOP/s (same shapes, sgemm alone)", roofline))
    print(String(format: "step / roofline      %.0f%%", achieved / roofline * 100))
  }

  /// GFLOP/s of cblas_sgemm alone on `shapes`, on scratch buffers (one set per distinct shape).
  static func sgemmRoofline(
    shapes: [(BLAS.Transpose, BLAS.Transpose, Int, Int, Int)], iterations: Int,
    flopsPerRound: Double
  ) -> Double {
    var scratch: [[Int]: (FloatBuffer, FloatBuffer, FloatBuffer)] = [:]
    let buffers = shapes.map { shape -> (FloatBuffer, FloatBuffer, FloatBuffer) in
      let (_, _, m, n, k) = shape
      if let existing = scratch[[m, n, k]] { return existing }
      let made = (
        FloatBuffer(count: m * k, repeating: 0.5), FloatBuffer(count: k * n, repeating: 0.25),
        FloatBuffer(count: m * n)
      )
      scratch[[m, n, k]] = made
      return made
    }
    func round() {
      for (index, shape) in shapes.enumerated() {
        let (ta, tb, m, n, k) = shape
        let (a, b, c) = buffers[index]
        BLAS.sgemm(
          ta, tb, m: m, n: n, k: k, a: a.pointer, lda: ta == .none ? k : m, b: b.pointer,
          ldb: tb == .none ? n : k, c: c.pointer, ldc: n)
      }
    }
    for _ in 0..<10 { round() }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { round() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return flopsPerRound * Double(iterations) / seconds / 1e9
  }
}
