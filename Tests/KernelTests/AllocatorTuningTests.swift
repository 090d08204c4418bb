import XCTest

@testable import LetheKernels

final class AllocatorTuningTests: XCTestCase {
  /// glibc accepts both settings (mallopt returns 0 for a value it rejects), and a block larger
  /// than glibc's mmap ceiling is still allocated, written and freed under them.
  func testSettingsAreAcceptedAndLargeBlocksStillWork() {
    XCTAssertTrue(AllocatorTuning.apply(keep: true))
    defer { XCTAssertTrue(AllocatorTuning.apply(keep: false)) }
    for _ in 0..<2 {
      var block = [Float](repeating: 1, count: 9 << 20)
      block[block.count - 1] = 2
      XCTAssertEqual(block[0] + block[block.count / 2] + block[block.count - 1], 4)
    }
  }
}
