import Foundation
import XCTest

@testable import Core

/// Shared helpers for the nn, optimiser, training and checkpoint tests.
enum NNTestSupport {
  /// max|a − b| / max|b| (infinite when the shapes differ). Uses the tensor core's vectorised
  /// ops: element loops in a debug-built test would dominate the suite's time.
  static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape, let d = try? (a - b).abs().max(), let m = try? b.abs().max() else {
      return .infinity
    }
    let diff = d.storage[0]
    let scale = m.storage[0]
    return scale == 0 ? diff : diff / scale
  }

  /// A temporary file path that is removed by the caller's `defer`.
  static func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("lethe-nn-\(UUID().uuidString)-\(name)")
  }
}

/// Asserts that `actual` equals `expected` within `tolerance` relative (max-abs scaled).
func assertClose(
  _ actual: Tensor?, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  guard let actual else {
    XCTFail("\(what): missing", file: file, line: line)
    return
  }
  XCTAssertEqual(actual.shape, expected.shape, "\(what): shape", file: file, line: line)
  let err = NNTestSupport.relativeError(actual, expected)
  XCTAssertLessThanOrEqual(err, tolerance, "\(what): relative error \(err)", file: file, line: line)
}

/// A tiny separable classification problem in memory: class c's samples cluster around a
/// class-specific pattern.
struct SyntheticSource: BatchSource {
  let inputs: [[Float]]
  let labels: [Int]
  let sampleShape: [Int]
  let classCount: Int

  init(samples: Int, shape: [Int], classes: Int, seed: UInt64, noise: Float = 0.3) {
    var rng = RandomGenerator(seed: seed)
    let size = shape.reduce(1, *)
    let centres = (0..<classes).map { _ in (0..<size).map { _ in rng.nextNormal() } }
    var inputs: [[Float]] = []
    var labels: [Int] = []
    for i in 0..<samples {
      let c = i % classes
      inputs.append(centres[c].map { $0 + noise * rng.nextNormal() })
      labels.append(c)
    }
    self.inputs = inputs
    self.labels = labels
    sampleShape = shape
    classCount = classes
  }

  var sampleCount: Int { inputs.count }

  func batch(at indices: [Int]) throws -> Batch {
    var storage: [Float] = []
    for i in indices { storage += inputs[i] }
    return Batch(
      inputs: Tensor(shape: [indices.count] + sampleShape, storage: storage),
      labels: indices.map { labels[$0] })
  }
}
