import Foundation
import XCTest

@testable import Core

/// Locates PyTorch reference files: `$LETHE_FIXTURES`, else `<repo>/../shared/fixtures/torch`
/// found from this source file's path.
enum Fixtures {
  static var directory: URL {
    if let env = ProcessInfo.processInfo.environment["LETHE_FIXTURES"], !env.isEmpty {
      return URL(fileURLWithPath: env)
    }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return repo.deletingLastPathComponent().appendingPathComponent("shared/fixtures/torch")
  }

  /// The named fixture file, or an XCTSkip when the fixtures are not on this machine.
  static func load(_ name: String) throws -> SafeTensorFile {
    let url = directory.appendingPathComponent(name)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw XCTSkip("PyTorch fixtures not found at \(url.path) (set LETHE_FIXTURES)")
    }
    return try SafeTensors.read(url)
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
