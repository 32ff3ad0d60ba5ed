import ArgumentParser
import Foundation
import KANLib

/// `sweep bench`: the KAN training step against the BLAS roofline on the same shapes.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract:
      "Time KAN training steps on random data and compare with sgemm alone (build with -c release).",
    discussion: """
      Prints samples/s, ms per step split into basis, GEMM, elementwise and optimizer time, the \
      step's GEMM FLOPs, the achieved GFLOP/s, and the roofline: the GFLOP/s that cblas_sgemm \
      alone reaches on the same shapes in the same process.
      """)

  @Option(help: "Layer widths, e.g. 784,64,10.")
  var widths = "784,64,10"
  @Option(name: .customLong("grid-size"), parsing: .unconditional, help: "KAN grid intervals G.")
  var gridSize = 5
  @Option(name: .customLong("spline-order"), parsing: .unconditional, help: "KAN spline degree k.")
  var splineOrder = 3
  @Option(name: .customLong("base-activation"), help: "silu, identity or zero.")
  var baseActivation = "silu"
  @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Samples per step.")
  var batchSize = 64
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
    try check("--batch-size", batchSize, in: 1...1_000_000)
    try check("--threads", threads, in: 1...512)
    try check("--steps", steps, in: 1...10_000_000)
    try check("--warmup", warmup, in: 0...10_000_000)
  }

  func run() throws {
    let layerWidths = widths.split(separator: ",").compactMap {
      Int($0.trimmingCharacters(in: .whitespaces))
    }
    guard layerWidths.count >= 2, layerWidths.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("--widths must be at least two positive widths, e.g. 784,64,10")
    }
    BLAS.threads = threads
    var configuration = KANConfiguration()
    configuration.gridSize = gridSize
    configuration.splineOrder = splineOrder
    guard let activation = BaseActivation(rawValue: baseActivation) else {
      throw ValidationError("unknown --base-activation '\(baseActivation)'")
    }
    configuration.baseActivation = activation
    var generator = KANRandom(seed: 1)
    let network = try KAN(widths: layerWidths, configuration: configuration, generator: &generator)
    let optimizer = AdamW(
      parameterCount: network.parameterCount, learningRate: 1e-3, weightDecay: 1e-4)
    let classes = layerWidths[layerWidths.count - 1]
    let inputs = FloatBuffer(
      (0..<(batchSize * layerWidths[0])).map { _ in generator.uniform(-1, 1) })
    let labels = (0..<batchSize).map { _ in Int32(generator.below(classes)) }
    let gradient = FloatBuffer(count: batchSize * classes)
    if adaptedGrid { try network.updateGrid(input: inputs.pointer, batchSize: batchSize) }
    let profile = StepProfile()

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
    network.profile = profile
    profile.reset()
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { step() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    network.profile = nil

    // GEMM FLOPs per step: forward y = F·Wᵀ, dW = dyᵀ·F, and dF = dy·W for every layer but the first.
    var flops = 0.0
    var shapes: [(BLAS.Transpose, BLAS.Transpose, Int, Int, Int)] = []
    for (index, layer) in network.layers.enumerated() {
      let c = layer.configuration
      let (out, width) = (c.outFeatures, c.featureWidth)
      shapes.append((.none, .transpose, batchSize, out, width))
      shapes.append((.transpose, .none, out, width, batchSize))
      if index > 0 { shapes.append((.none, .none, batchSize, width, out)) }
    }
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
        "widths": layerWidths, "grid_size": gridSize, "spline_order": splineOrder,
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
      "KAN \(layerWidths) G=\(gridSize) k=\(splineOrder) batch \(batchSize), \(network.parameterCount) parameters, "
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

  /// GFLOP/s of cblas_sgemm alone on `shapes`, on scratch buffers.
  static func sgemmRoofline(
    shapes: [(BLAS.Transpose, BLAS.Transpose, Int, Int, Int)], iterations: Int,
    flopsPerRound: Double
  ) -> Double {
    let buffers = shapes.map { shape -> (FloatBuffer, FloatBuffer, FloatBuffer) in
      let (_, _, m, n, k) = shape
      return (
        FloatBuffer(count: m * k, repeating: 0.5), FloatBuffer(count: k * n, repeating: 0.25),
        FloatBuffer(count: m * n)
      )
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
