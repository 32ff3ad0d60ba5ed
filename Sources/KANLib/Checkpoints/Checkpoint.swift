import Foundation

/// Saves and loads networks as safetensors with efficient-kan's / PyTorch's `state_dict` names.
///
/// Concretely: KAN tensors are `layers.N.base_weight`, `layers.N.spline_weight`,
/// `layers.N.spline_scaler`, `layers.N.grid`; MLP tensors `layers.N.weight`, `layers.N.bias`
/// (F32, row-major); FastKAN and ChebyKAN layers keep their projects' names
/// (`layers.N.spline_linear.weight`, `layers.N.cheby_coeffs`, …); a ``ConvKAN`` keeps convkan's
/// Sequential names (`0.kan_layer.base_weight`, `1.gamma`, …). `__metadata__` holds `format: pt`, `kan_sweep.model`,
/// `kan_sweep.widths`, `kan_sweep.configuration` (canonical JSON), `kan_sweep.seed` and
/// `kan_sweep.version`; no timestamps, so the same run writes the same bytes. Files written by
/// efficient-kan (no metadata) load too: widths, G and k are read off the tensor shapes.
public enum Checkpoint {
  /// The version written into every checkpoint.
  public static let toolVersion = "0.1.0"

  /// A loaded checkpoint.
  public struct Loaded {
    /// The network, ready for inference.
    public let network: Network
    /// The training configuration, when the file was written by kan-sweep.
    public let configuration: TrainingConfiguration?
    /// The file's metadata.
    public let metadata: [String: String]
  }

  /// Writes `network` (and `configuration`) to `path`; returns the file's SHA-256 (hex) and size.
  ///
  /// `atomically` (the default) writes a temporary file and renames it over `path`; without
  /// it the bytes go straight to `path`, for callers that only trust the file through the
  /// returned hash (a sweep worker stores it with the completed trial).
  @discardableResult
  public static func save(
    _ network: Network, configuration: TrainingConfiguration?, to path: String,
    atomically: Bool = true
  ) throws(SafeTensorsError) -> (sha256: String, bytes: Int) {
    var tensors: [String: SafeTensors.Tensor] = [:]
    for (entry, values) in network.stateDictionary {
      tensors[entry.name] = .init(floats: values, shape: entry.shape)
    }
    var metadata = [
      "format": "pt",
      "kan_sweep.model": network is MLP ? "mlp" : network is ConvKAN ? "conv_kan" : "kan",
      "kan_sweep.widths": "[" + network.widths.map(String.init).joined(separator: ", ") + "]",
      "kan_sweep.version": toolVersion,
    ]
    if let configuration {
      // Callers pass the configuration a Trainer accepted, which is valid.
      guard let json = try? configuration.canonicalJSON() else {
        preconditionFailure("Checkpoint.save: invalid configuration \(configuration.problems)")
      }
      metadata["kan_sweep.configuration"] = json
      metadata["kan_sweep.seed"] = String(configuration.seed)
    }
    let bytes = SafeTensors(tensors: tensors, metadata: metadata).serialized()
    try SafeTensors.write(bytes, path: path, atomically: atomically)
    return (sha256Hex(bytes), bytes.count)
  }

  /// The SHA-256 of `bytes` as lowercase hex.
  public static func sha256Hex(_ bytes: [UInt8]) -> String {
    IDXFile.sha256(bytes)
  }

  /// The SHA-256 of the file at `path`, or `nil` when it cannot be read.
  public static func sha256Hex(ofFileAt path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return sha256Hex([UInt8](data))
  }

  /// Reads a checkpoint written by kan-sweep, efficient-kan or PyTorch (`nn.Linear` MLP).
  public static func load(path: String) throws(SafeTensorsError) -> Loaded {
    let file = try SafeTensors.read(path: path)
    var configuration: TrainingConfiguration?
    if let json = file.metadata["kan_sweep.configuration"], let data = json.data(using: .utf8) {
      configuration = try? JSONDecoder().decode(TrainingConfiguration.self, from: data)
    }
    if file.tensors["layers.0.spline_linear.weight"] != nil
      || file.tensors["layers.0.cheby_coeffs"] != nil
    {
      return try loadBasisKAN(file, path: path, configuration: configuration)
    }
    if file.tensors["0.kan_layer.base_weight"] != nil {
      return try loadConvKAN(file, path: path, configuration: configuration)
    }
    let layerCount = (0...).prefix { index in
      file.tensors["layers.\(index).base_weight"] != nil
        || file.tensors["layers.\(index).weight"] != nil
    }.count
    guard layerCount > 0 else {
      throw .invalidHeader(
        path: path,
        reason: "no layers.0.base_weight (KAN) or layers.0.weight (MLP) tensor: not a kan-sweep, "
          + "efficient-kan or PyTorch MLP checkpoint")
    }
    let isKAN = file.tensors["layers.0.base_weight"] != nil
    var widths: [Int] = []
    for index in 0..<layerCount {
      let name = isKAN ? "layers.\(index).base_weight" : "layers.\(index).weight"
      let shape = try file.tensor(name, in: path).shape
      guard shape.count == 2, shape.allSatisfy({ $0 > 0 }) else {
        throw .invalidTensor(path: path, tensor: name, reason: "expected [out, in], got \(shape)")
      }
      if index == 0 { widths.append(shape[1]) }
      guard widths[index] == shape[1] else {
        throw .invalidTensor(
          path: path, tensor: name,
          reason: "input width \(shape[1]) does not match the previous layer's \(widths[index])")
      }
      widths.append(shape[0])
    }
    let network: Network
    if isKAN {
      var kanConfiguration = configuration?.kanConfiguration ?? KANConfiguration()
      try readSplineShape(
        file, prefix: "layers.0", groups: false, path: path, into: &kanConfiguration)
      network = KAN(widths: widths, configuration: kanConfiguration)
    } else {
      network = MLP(widths: widths, activation: configuration?.baseActivation ?? .relu)
    }
    try fill(network, from: file, path: path)
    return Loaded(network: network, configuration: configuration, metadata: file.metadata)
  }

  /// Copies every tensor of `network` from `file`, checking shapes.
  static func fill(_ network: Network, from file: SafeTensors, path: String)
    throws(SafeTensorsError)
  {
    for (arena, entries) in [
      (network.parameters, network.parameters.entries), (network.buffers, network.buffers.entries),
    ] {
      for entry in entries {
        let tensor = try file.tensor(entry.name, in: path)
        guard tensor.shape == entry.shape else {
          throw .invalidTensor(
            path: path, tensor: entry.name, reason: "shape \(tensor.shape), expected \(entry.shape)"
          )
        }
        arena.assign(tensor.floats, to: entry)
      }
    }
  }

  /// A FastKAN (`layers.N.spline_linear.weight`, …) or ChebyKAN (`layers.N.cheby_coeffs`)
  /// checkpoint: widths, G and the centres' range, or the degree, read off the tensors.
  static func loadBasisKAN(
    _ file: SafeTensors, path: String, configuration: TrainingConfiguration?
  ) throws(SafeTensorsError) -> Loaded {
    let isRBF = file.tensors["layers.0.spline_linear.weight"] != nil
    let name = isRBF ? "base_linear.weight" : "cheby_coeffs"
    var widths: [Int] = []
    var index = 0
    while file.tensors["layers.\(index).\(name)"] != nil {
      let tensor = "layers.\(index).\(name)"
      let shape = try file.tensor(tensor, in: path).shape
      guard shape.count == (isRBF ? 2 : 3), shape.allSatisfy({ $0 > 0 }) else {
        throw .invalidTensor(
          path: path, tensor: tensor,
          reason: "expected \(isRBF ? "[out, in]" : "[in, out, degree + 1]"), got \(shape)")
      }
      let (input, output) = isRBF ? (shape[1], shape[0]) : (shape[0], shape[1])
      if index == 0 { widths.append(input) }
      guard widths[index] == input else {
        throw .invalidTensor(
          path: path, tensor: tensor,
          reason: "input width \(input) does not match the previous layer's \(widths[index])")
      }
      widths.append(output)
      index += 1
    }
    let network: Network
    if isRBF {
      let grid = try file.tensor("layers.0.rbf.grid", in: path)
      guard grid.shape.count == 1, grid.shape[0] >= 2, let first = grid.floats.first,
        let last = grid.floats.last, first < last, widths.dropLast().allSatisfy({ $0 > 1 })
      else {
        throw .invalidTensor(
          path: path, tensor: "layers.0.rbf.grid",
          reason: "expected at least 2 increasing centres and input widths above 1")
      }
      network = BasisKAN.fastKAN(
        widths: widths, centerCount: grid.shape[0], gridLower: first, gridUpper: last)
    } else {
      let degree = try file.tensor("layers.0.cheby_coeffs", in: path).shape[2] - 1
      guard degree >= 1 else {
        throw .invalidTensor(
          path: path, tensor: "layers.0.cheby_coeffs", reason: "degree must be at least 1")
      }
      network = BasisKAN.chebyKAN(widths: widths, degree: degree)
    }
    try fill(network, from: file, path: path)
    return Loaded(network: network, configuration: configuration, metadata: file.metadata)
  }

  /// A ``ConvKAN`` in convkan's Sequential names (`2l.kan_layer.*`, `(2l + 1).gamma`, …), written
  /// by kan-sweep or by convkan's `state_dict`. Channels, groups, kernel size, G and k are read off
  /// the tensors; strides come from the recorded configuration, else convkan's example
  /// ([1, 2, 2, …]); the input is one 28×28 channel unless recorded otherwise.
  static func loadConvKAN(
    _ file: SafeTensors, path: String, configuration: TrainingConfiguration?
  ) throws(SafeTensorsError) -> Loaded {
    var architecture = configuration?.convKANConfiguration ?? ConvKANConfiguration()
    var channels: [Int] = []
    var kernelSize = 0
    var previous = architecture.inputChannels
    while file.tensors["\(2 * channels.count).kan_layer.base_weight"] != nil {
      let prefix = "\(2 * channels.count).kan_layer"
      let base = try file.tensor("\(prefix).base_weight", in: path).shape
      guard base.count == 3, base.allSatisfy({ $0 > 0 }) else {
        throw .invalidTensor(
          path: path, tensor: "\(prefix).base_weight",
          reason: "expected [groups, out/groups, patch], got \(base)")
      }
      let groups = base[0]
      let square = base[2] * groups / max(previous, 1)
      let side = Int(Double(square).squareRoot().rounded())
      guard groups == 1, side * side == square, side * side * previous == base[2] * groups,
        kernelSize == 0 || side == kernelSize
      else {
        throw .invalidTensor(
          path: path, tensor: "\(prefix).base_weight",
          reason: "shape \(base) is not one group of \(previous) channels × a square kernel "
            + "(kan-sweep's conv_kan uses one group and one kernel size)")
      }
      kernelSize = side
      channels.append(base[1])
      previous = base[1]
    }
    try readSplineShape(
      file, prefix: "0.kan_layer", groups: true, path: path, into: &architecture.hyperparameters)
    architecture.channels = channels
    architecture.kernelSize = kernelSize
    if configuration == nil {
      architecture.strides = [1] + Array(repeating: 2, count: max(channels.count - 1, 0))
    }
    guard architecture.problems.isEmpty else {
      throw .invalidHeader(
        path: path,
        reason: "not a usable conv_kan architecture: "
          + architecture.problems.map { "\($0.key) \($0.message)" }.joined(separator: "; "))
    }
    let network = ConvKAN(configuration: architecture)
    try fill(network, from: file, path: path)
    return Loaded(network: network, configuration: configuration, metadata: file.metadata)
  }

  /// G, k and the standalone scaler of the layer under `prefix`, read off its tensors:
  /// `spline_weight` [(groups,) out, in, G + k] and `grid` [(groups,) in, G + 2k + 1].
  static func readSplineShape(
    _ file: SafeTensors, prefix: String, groups: Bool, path: String,
    into configuration: inout KANConfiguration
  ) throws(SafeTensorsError) {
    let splineShape = try file.tensor("\(prefix).spline_weight", in: path).shape
    let gridShape = try file.tensor("\(prefix).grid", in: path).shape
    let lead = groups ? 1 : 0
    guard splineShape.count == 3 + lead, gridShape.count == 2 + lead else {
      let group = groups ? "groups, " : ""
      throw .invalidTensor(
        path: path, tensor: "\(prefix).spline_weight",
        reason: "expected spline_weight [\(group)out, in, G+k] and grid [\(group)in, G+2k+1]")
    }
    let coefficients = splineShape[2 + lead]
    let order = gridShape[1 + lead] - coefficients - 1
    guard order >= 1, coefficients - order >= 1 else {
      throw .invalidTensor(
        path: path, tensor: "\(prefix).grid",
        reason:
          "grid width \(gridShape[1 + lead]) and \(coefficients) coefficients give no valid G, k")
    }
    configuration.splineOrder = order
    configuration.gridSize = coefficients - order
    configuration.standaloneScaler = file.tensors["\(prefix).spline_scaler"] != nil
  }
}
