import Foundation
import KANLib
import Testing

@Suite struct CheckpointTests {
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "kan-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test(arguments: [ModelKind.kan, .mlp])
  func roundTripRestoresEveryTensorAndTheConfiguration(model: ModelKind) throws {
    var configuration = TrainingConfiguration()
    configuration.model = model
    configuration.gridSize = 4
    configuration.splineOrder = 2
    configuration.seed = 77
    var generator = KANRandom(seed: 77)
    let network: Network =
      model == .kan
      ? try KAN(
        widths: [6, 5, 3], configuration: configuration.kanConfiguration, generator: &generator)
      : MLP(widths: [6, 5, 3], activation: .silu, generator: &generator)
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("model.safetensors").path
    let saved = try Checkpoint.save(network, configuration: configuration, to: path)
    #expect(Checkpoint.sha256Hex(ofFileAt: path) == saved.sha256)
    let loaded = try Checkpoint.load(path: path)
    #expect(loaded.configuration == configuration)
    #expect(loaded.network.widths == [6, 5, 3])
    #expect(loaded.network.parameters.storage.array == network.parameters.storage.array)
    #expect(loaded.network.buffers.storage.array == network.buffers.storage.array)
    #expect(loaded.metadata["kan_sweep.seed"] == "77")
    if let kan = loaded.network as? KAN {
      #expect(kan.configuration.gridSize == 4 && kan.configuration.splineOrder == 2)
    }
  }

  @Test func malformedCheckpointsGiveClearErrors() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("empty.safetensors").path
    try SafeTensors(tensors: ["other": .init(floats: [1], shape: [1])]).write(path: path)
    #expect(throws: SafeTensorsError.self) { try Checkpoint.load(path: path) }
    do {
      _ = try Checkpoint.load(path: directory.appendingPathComponent("missing.safetensors").path)
      Issue.record("a missing file must fail")
    } catch {
      #expect(error.description.contains("missing.safetensors"))
    }
  }

  /// Python's `safetensors` reads what we write, and we read what it writes.
  @Test func pythonSafetensorsInteroperates() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var generator = KANRandom(seed: 5)
    let network = try KAN(widths: [3, 2], generator: &generator)
    let ours = directory.appendingPathComponent("ours.safetensors").path
    let theirs = directory.appendingPathComponent("theirs.safetensors").path
    try Checkpoint.save(network, configuration: nil, to: ours)
    let script = """
      import json, sys, numpy as np
      from safetensors.numpy import load_file, save_file
      from safetensors import safe_open
      tensors = load_file(sys.argv[1])
      with safe_open(sys.argv[1], "np") as f:
          meta = f.metadata()
      out = {k: [float(x) for x in v.reshape(-1)] for k, v in tensors.items()}
      print(json.dumps({"tensors": out, "shapes": {k: list(v.shape) for k, v in tensors.items()},
                        "model": meta["kan_sweep.model"]}))
      w = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
      save_file({"layers.0.weight": w, "layers.0.bias": np.array([0.5, -0.25], dtype=np.float32)},
                sys.argv[2], metadata={"format": "pt"})
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, ours, theirs]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(
      process.terminationStatus == 0, "python3 with safetensors failed (run scripts/setup)")
    let decoded = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
    let tensors = try #require(decoded["tensors"] as? [String: [Double]])
    let shapes = try #require(decoded["shapes"] as? [String: [Int]])
    #expect(decoded["model"] as? String == "kan")
    for (entry, values) in network.stateDictionary {
      #expect(shapes[entry.name] == entry.shape)
      #expect(tensors[entry.name]?.map { Float($0) } == values, "\(entry.name)")
    }
    let loaded = try Checkpoint.load(path: theirs)
    #expect(loaded.network is MLP && loaded.network.widths == [3, 2])
    let weight = try #require(loaded.network.parameters.entry(named: "layers.0.weight"))
    #expect(loaded.network.parameters.values(of: weight) == (0..<6).map { Float($0) / 7 })
  }
}
