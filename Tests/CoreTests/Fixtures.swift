import Foundation
import TestSupport
import XCTest

@testable import Core

/// PyTorch reference files, found by `TestFixtures` (vendored in Tests/Fixtures/torch, or
/// ../shared/fixtures/torch for the large ones).
enum Fixtures {
  /// The named fixture file, or an XCTSkip when no folder has it.
  static func url(_ name: String) throws -> URL {
    guard let url = TestFixtures.torch(name) else { throw XCTSkip(TestFixtures.missing(name)) }
    return url
  }

  /// The named safetensors fixture, read.
  static func load(_ name: String) throws -> SafeTensorFile {
    try SafeTensors.read(try url(name))
  }

  /// Asserts max|actual − expected| ≤ rtol · max|expected| (+ a tiny floor), shapes equal.
  static func assertClose(
    _ actual: Tensor?, _ expected: Tensor, rtol: Float = 1e-4, _ label: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let actual else {
      XCTFail("\(label): missing", file: file, line: line)
      return
    }
    XCTAssertEqual(actual.shape, expected.shape, "\(label): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    var diff: Float = 0
    var scale: Float = 0
    for i in 0..<expected.count {
      diff = max(diff, abs(actual.storage[i] - expected.storage[i]))
      scale = max(scale, abs(expected.storage[i]))
    }
    XCTAssertLessThanOrEqual(
      diff, rtol * scale + 1e-7, "\(label): max difference \(diff) at scale \(scale)", file: file,
      line: line)
  }
}
