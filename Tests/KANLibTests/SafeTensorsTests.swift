import Foundation
import KANLib
import Testing

@Suite struct SafeTensorsTests {
  @Test func roundTripIsExactAndDeterministic() throws {
    let file = SafeTensors(
      tensors: [
        "b": .init(floats: [1.5, -.infinity, .nan, 0x1p-140], shape: [2, 2]),
        "a": .init(integers: [-1, 0, Int64.max], shape: [3]),
      ],
      metadata: ["config": "{\"grid_size\": 5}", "quote": "a\"b\\c\n"])
    let bytes = file.serialized()
    let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
    #expect((8 + headerLength) % 8 == 0)
    let parsed = try SafeTensors(bytes: bytes, path: "memory")
    #expect(parsed.metadata == file.metadata)
    #expect(parsed.tensors["a"]?.integers == [-1, 0, Int64.max])
    let floats = try #require(parsed.tensors["b"]?.floats)
    #expect(
      floats.map(\.bitPattern)
        == [1.5, -.infinity, .nan, 0x1p-140].map { (v: Float) in v.bitPattern })
    #expect(parsed.serialized() == bytes)
  }

  @Test func malformedFilesGiveErrorsNamingTheProblem() throws {
    #expect(
      throws: SafeTensorsError.truncated(path: "x", what: "header length", needed: 8, available: 3)
    ) {
      try SafeTensors(bytes: [1, 2, 3], path: "x")
    }
    var bytes = SafeTensors(tensors: ["w": .init(floats: [1, 2], shape: [2])]).serialized()
    bytes.removeLast()
    do {
      _ = try SafeTensors(bytes: bytes, path: "model.safetensors")
      Issue.record("a truncated data section must fail")
    } catch {
      #expect(error.description.contains("model.safetensors"))
      #expect(error.description.contains("'w'"))
    }
    let header = Array("{\"w\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}".utf8)
    let custom =
      withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header + [0, 0]
    #expect(throws: SafeTensorsError.self) { try SafeTensors(bytes: custom, path: "y") }
    let notJSON = withUnsafeBytes(of: UInt64(3).littleEndian, Array.init) + Array("{{{".utf8)
    #expect(throws: SafeTensorsError.self) { try SafeTensors(bytes: notJSON, path: "z") }
  }
}
