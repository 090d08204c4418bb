import XCTest
import Synchronization
@testable import LetheKernels

final class ParallelTests: XCTestCase {
  /// Every index is visited exactly once, for counts around the thread count and beyond.
  func testForEachVisitsEveryIndexOnce() {
    for count in [0, 1, 2, 3, 7, 64, 1000] {
      let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
      hits.initialize(repeating: 0)
      defer { hits.deallocate() }
      Parallel.forEach(count: count) { i in hits[i] += 1 }
      XCTAssertTrue(hits.prefix(count).allSatisfy { $0 == 1 }, "count \(count)")
    }
  }

  func testForEachChunkCoversRangeExactlyOnce() {
    for count in [0, 1, 5, 100, 12345] {
      let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
      hits.initialize(repeating: 0)
      defer { hits.deallocate() }
      Parallel.forEachChunk(count: count, minChunk: 3) { range in
        for i in range { hits[i] += 1 }
      }
      XCTAssertTrue(hits.prefix(count).allSatisfy { $0 == 1 }, "count \(count)")
    }
  }

  /// Worker ids stay below the thread limit and no two concurrent items share one.
  func testWorkerIdsAreInRangeAndExclusive() {
    let inUse = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
    inUse.initialize(repeating: 0)
    defer { inUse.deallocate() }
    let violations = Atomic<Int>(0)
    for _ in 0..<50 {
      Parallel.forEachWorker(count: 40, threads: 3) { _, worker in
        if worker < 0 || worker >= 3 { violations.add(1, ordering: .relaxed); return }
        inUse[worker] += 1
        if inUse[worker] != 1 { violations.add(1, ordering: .relaxed) }
        for _ in 0..<200 { _ = inUse[worker] }
        inUse[worker] -= 1
      }
    }
    XCTAssertEqual(violations.load(ordering: .relaxed), 0)
  }

  /// A parallel region inside another (and many regions in a row) completes.
  func testNestedAndRepeatedRegions() {
    let total = Atomic<Int>(0)
    for _ in 0..<200 {
      Parallel.forEach(count: 4) { _ in
        Parallel.forEach(count: 3) { _ in total.add(1, ordering: .relaxed) }
      }
    }
    XCTAssertEqual(total.load(ordering: .relaxed), 200 * 12)
  }

  func testThreadCountIsClamped() {
    let saved = Parallel.threadCount
    defer { Parallel.threadCount = saved }
    Parallel.threadCount = 0
    XCTAssertEqual(Parallel.threadCount, 1)
    Parallel.threadCount = 3
    XCTAssertEqual(Parallel.threadCount, 3)
  }
}
