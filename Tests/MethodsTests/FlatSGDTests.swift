import Foundation
import XCTest

@testable import Methods

final class FlatSGDTests: XCTestCase {
  func testMomentumAndWeightDecayFollowPyTorchsRule() {
    // w = 1, g = 0.5, lr 0.1, μ 0.9, λ 0.01.
    // Step 1: d = 0.5 + 0.01·1 = 0.51, v = d, w = 1 − 0.051 = 0.949.
    // Step 2 (same g): d = 0.5 + 0.00949 = 0.50949, v = 0.9·0.51 + 0.50949 = 0.96849,
    //   w = 0.949 − 0.096849 = 0.852151.
    var sgd = FlatSGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
    var w: [Float] = [1]
    sgd.step(&w, gradient: [0.5])
    XCTAssertEqual(w[0], 0.949, accuracy: 1e-6)
    sgd.step(&w, gradient: [0.5])
    XCTAssertEqual(w[0], 0.852151, accuracy: 1e-6)
    // Ascent flips the loss gradient, not the decay: 1 − 0.1·(−0.5 + 0.01) = 1.049.
    var up = FlatSGD(learningRate: 0.1, weightDecay: 0.01)
    var u: [Float] = [1]
    up.step(&u, gradient: [0.5], ascend: true)
    XCTAssertEqual(u[0], 1.049, accuracy: 1e-6)
  }

  /// The first step on the MNIST CNN's gradients equals PyTorch's `after_sgd_step1`
  /// (`shared/fixtures/torch/cnn.safetensors`: lr 0.05, momentum 0.9, weight decay 5e-4).
  func testFirstStepMatchesPyTorchFixture() throws {
    let path = "/work/shared/fixtures/torch/cnn.safetensors"
    guard let data = FileManager.default.contents(atPath: path) else {
      throw XCTSkip("PyTorch fixtures not present at \(path)")
    }
    let tensors = try readF32(data)
    let names = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
      "fc2.weight", "fc2.bias"]
    var w = names.flatMap { tensors["params.\($0)"]! }
    let g = names.flatMap { tensors["grad.\($0)"]! }
    let expected = names.flatMap { tensors["after_sgd_step1.\($0)"]! }
    var sgd = FlatSGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
    sgd.step(&w, gradient: g)
    var worst: Float = 0
    for i in w.indices { worst = max(worst, abs(w[i] - expected[i]) / max(1, abs(expected[i]))) }
    XCTAssertLessThan(worst, 1e-6)
  }

  /// The F32 tensors of a safetensors file (8-byte header length, JSON header, raw data).
  private func readF32(_ data: Data) throws -> [String: [Float]] {
    let bytes = [UInt8](data)
    let n = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    let header = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
    var out: [String: [Float]] = [:]
    for (name, info) in header {
      guard let d = info as? [String: Any], d["dtype"] as? String == "F32",
        let offsets = d["data_offsets"] as? [Int]
      else { continue }
      let start = 8 + n + offsets[0]
      let count = (offsets[1] - offsets[0]) / 4
      out[name] = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
          _ = memcpy(buffer.baseAddress!, raw.baseAddress! + start, 4 * count)  // little-endian host
        }
        initialized = count
      }
    }
    return out
  }
}
