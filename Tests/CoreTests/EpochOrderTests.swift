import XCTest

@testable import Core

/// `EpochOrder`, the one owner of epoch order (the `Trainer`, `ds:batches` and methods' own
/// batches); the training loop's use of it is in `TrainerBatchOrderTests`.
final class EpochOrderTests: XCTestCase {
  func testEpochsAreSeededPermutationsCutIntoBatches() throws {
    let order = EpochOrder(sampleCount: 10)
    var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
    let first = try order.nextBatches(size: 4, using: &a)
    XCTAssertEqual(first, try order.nextBatches(size: 4, using: &b), "the same seed gives the same epoch")
    let second = try order.nextBatches(size: 4, using: &a)
    XCTAssertNotEqual(first, second, "each epoch draws a fresh permutation")
    XCTAssertEqual(second.map(\.count), [4, 4, 2])
    XCTAssertEqual(second.flatMap { $0 }.sorted(), Array(0..<10))
    XCTAssertEqual(try order.nextBatches(size: 4, dropLast: true, using: &a).count, 2)
    XCTAssertEqual(order.batchCount(size: 4), 3)
    XCTAssertEqual(order.batchCount(size: 4, dropLast: true), 2)
    var unused = RandomGenerator(seed: 0)
    XCTAssertEqual(
      try EpochOrder(sampleCount: 5, shuffle: false).nextBatches(size: 2, using: &unused), [[0, 1], [2, 3], [4]])
    var fresh = RandomGenerator(seed: 0)
    XCTAssertEqual(unused.next(), fresh.next(), "an unshuffled epoch draws nothing")
    XCTAssertThrowsError(try EpochOrder.batches(of: [0, 1, 2], size: 0)) {
      XCTAssertTrue("\($0)".contains("batch size"), "\($0)")
    }
    XCTAssertEqual(try EpochOrder(sampleCount: 0).nextBatches(size: 2, using: &a), [], "no samples, no batches")
  }

  /// A seeded pass is the generator's permutation of the pool: what `ds:batches{seed = s}` and
  /// NegGrad+'s forget batches drew before `EpochOrder` owned the order.
  func testAPassIsTheGeneratorsPermutationOfThePool() throws {
    let pool = [10, 20, 30, 40, 50]
    var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
    XCTAssertEqual(
      EpochOrder(pool: pool, sourceCount: 60).next(using: &a), b.permutation(pool.count).map { pool[$0] })
  }

  /// Over a subset: positions index the view.
  func testBatchesIndexAViewsPositions() throws {
    let data = try Dataset(
      name: "toy", sampleShape: [1, 2, 2], classCount: 5, labels: (0..<100).map { Int32($0 % 5) },
      storage: .bytes((0..<400).map { UInt8($0 / 4) }, scale: 1), origin: "toy")
    let view = try data.subset([10, 20, 30])
    var rng = RandomGenerator(seed: 1)
    let batch = try view.batch(at: try EpochOrder(sampleCount: view.sampleCount).nextBatches(size: 3, using: &rng)[0])
    XCTAssertEqual(
      Set(batch.inputs.storage.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)), [10, 20, 30])
    XCTAssertThrowsError(try view.batch(at: [3])) {
      XCTAssertTrue("\($0)".contains("index 3") && "\($0)".contains("0..<3"), "\($0)")
    }
  }
}
