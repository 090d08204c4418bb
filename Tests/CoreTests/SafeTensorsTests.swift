import Foundation
import XCTest

@testable import Core

/// Safetensors round trips, agreement with PyTorch's files, and every malformed-file error.
final class SafeTensorsTests: XCTestCase {
  let sample: [(String, SafeTensor)] = [
    ("a.weight", .f32(Tensor(shape: [2, 3], storage: [1, -2, 3.5, 0, 1e-8, -7]))),
    ("steps", .i64(shape: [], values: [42])),
    ("empty", .f32(Tensor.zeros([0, 4]))),
    ("q\"uote", .i64(shape: [3], values: [-1, 0, Int64.max])),
  ]

  func header(_ bytes: [UInt8]) -> (Int, String) {
    var n = 0
    for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
    return (n, String(decoding: bytes[8..<(8 + n)], as: UTF8.self))
  }

  func testRoundTripInMemoryAndOnDisk() throws {
    let bytes = try SafeTensors.encode(sample, metadata: ["format": "pt", "note": "x\ny"])
    let (n, _) = header(bytes)
    XCTAssertEqual(n % 8, 0, "header padded to 8 bytes")
    let f = try SafeTensors.parse(bytes, name: "mem")
    XCTAssertEqual(f.names, ["a.weight", "steps", "empty", "q\"uote"])
    XCTAssertEqual(f.metadata, ["format": "pt", "note": "x\ny"])
    for (name, t) in sample { XCTAssertEqual(f[name], t, name) }
    XCTAssertEqual(try f.ints("steps"), [42])
    XCTAssertThrowsError(try f.float("steps"))
    XCTAssertThrowsError(try f.ints("a.weight"))
    XCTAssertThrowsError(try f.float("missing")) { XCTAssertTrue("\($0)".contains("missing")) }

    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-st-\(getpid()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try SafeTensors.write(sample, metadata: ["format": "pt"], to: url)
    let g = try SafeTensors.read(url)
    XCTAssertEqual(g.tensors, f.tensors)
    XCTAssertThrowsError(try SafeTensors.encode([("x", .f32(Tensor.zeros([1]))), ("x", .f32(Tensor.zeros([1])))]))
  }

  func testReadsPyTorchFile() throws {
    let f = try Fixtures.load("ops.safetensors")
    XCTAssertEqual(f["conv2d_s1p1.x"]?.shape, [2, 3, 7, 7])
    XCTAssertEqual(f["cross_entropy.target"]?.dtype, "I64")
    XCTAssertEqual(f.metadata["about"], "single-op forward/backward references")
    // Re-encoding what we read and reading it back is lossless.
    let again = try SafeTensors.parse(
      SafeTensors.encode(f.names.map { ($0, f[$0]!) }, metadata: f.metadata), name: "again")
    XCTAssertEqual(again.tensors, f.tensors)
  }

  func expectError(_ bytes: [UInt8], _ fragment: String, line: UInt = #line) {
    XCTAssertThrowsError(try SafeTensors.parse(bytes, name: "bad.safetensors"), line: line) { e in
      let text = "\(e)"
      XCTAssertTrue(text.hasPrefix("bad.safetensors: "), text, line: line)
      XCTAssertTrue(text.contains(fragment), "\(text) lacks '\(fragment)'", line: line)
    }
  }

  func withHeader(_ json: String, data: Int = 0) -> [UInt8] {
    let h = Array(json.utf8)
    let out: [UInt8] = (0..<8).map { UInt8((h.count >> (8 * $0)) & 0xFF) }
    return out + h + [UInt8](repeating: 0, count: data)
  }

  func testMalformedFiles() throws {
    let good = try SafeTensors.encode(sample)
    expectError([1, 2, 3], "truncated")
    expectError(Array(good.prefix(20)), "truncated")
    expectError(Array(good.dropLast(1)), "outside")
    expectError([255, 255, 255, 255, 255, 255, 255, 255], "implausible")
    expectError(withHeader("{not json"), "JSON")
    expectError(withHeader("[1, 2]"), "not a JSON object")
    expectError(withHeader(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 4), "outside")
    expectError(withHeader(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8), "needs 12 bytes")
    expectError(withHeader(#"{"x":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#, data: 8), "unsupported dtype")
    expectError(withHeader(#"{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: 8), "invalid shape")
    expectError(withHeader(#"{"x":{"dtype":"F32","shape":[2]}}"#, data: 8), "data_offsets")
    expectError(withHeader(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: 8), "outside")
    expectError(withHeader(#"{"x":{"shape":[2],"data_offsets":[0,8]}}"#, data: 8), "no dtype")
    expectError(withHeader(#"{"__metadata__":{"a":1}}"#), "__metadata__")
    expectError(
      withHeader(#"{"x":{"dtype":"I64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: 8),
      "large")
    XCTAssertThrowsError(try SafeTensors.read(path: "/nonexistent/x.safetensors")) {
      XCTAssertTrue("\($0)".contains("/nonexistent/x.safetensors"))
    }
  }
}
