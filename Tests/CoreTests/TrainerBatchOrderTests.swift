import XCTest

@testable import Core

/// The training loop's batch orders and step cap.
final class TrainerBatchOrderTests: XCTestCase {
  private let source = SyntheticSource(samples: 40, shape: [4], classes: 2, seed: 3)

  private func trainer(_ order: BatchOrder, seed: UInt64 = 7, epochs: Int = 2) throws -> Trainer {
    var rng = RandomGenerator(seed: 1)
    let m = Sequential([try Linear(4, 2, rng: &rng)])
    var c = TrainingConfig()
    c.epochs = epochs
    c.batchSize = 6
    c.seed = seed
    c.progress = .silent
    c.batchOrder = order
    return Trainer(model: m, optimizer: try SGD(parameters: m.parameters(), learningRate: 0.1), config: c)
  }

  /// The indices each step saw, epoch by epoch.
  private func visits(_ t: Trainer, indices: [Int]?) throws -> [[Int]] {
    var seen: [[Int]] = Array(repeating: [], count: t.config.epochs)
    t.afterStep = { seen[$0.epoch] += $0.indices }
    try t.fit(on: source, indices: indices)
    return seen
  }

  func testSourceOrderOnASubsetIsTheFullOrderMinusTheRest() throws {
    let forget: Set = [0, 3, 17, 18, 39]
    let retained = (0..<40).filter { !forget.contains($0) }.shuffled()
    let full = try visits(trainer(.permuteSource), indices: nil)
    let minus = try visits(trainer(.permuteSource), indices: retained)
    XCTAssertEqual(minus.count, 2)
    for e in 0..<2 {
      XCTAssertEqual(minus[e], full[e].filter { !forget.contains($0) }, "epoch \(e)")
      XCTAssertEqual(Set(minus[e]), Set(retained))
    }
    XCTAssertNotEqual(full[0], full[1], "each epoch draws a fresh permutation")
  }

  func testDefaultOrderPermutesTheIndicesAndCoversThemOnce() throws {
    let subset = Array(10..<30)
    let seen = try visits(trainer(.permuteIndices), indices: subset)
    for e in seen { XCTAssertEqual(e.sorted(), subset) }
    let a = try visits(trainer(.permuteIndices, seed: 8), indices: subset)
    XCTAssertNotEqual(a[0], seen[0], "the order depends on the seed")
  }

  func testMaxStepsStopsTheRun() throws {
    let t = try trainer(.permuteIndices, epochs: 5)
    t.config.maxSteps = 9
    let report = try t.fit(on: source)
    XCTAssertEqual(report.steps, 9)
    XCTAssertEqual(report.stopReason, .stepLimit)
    t.config.maxSteps = -1
    XCTAssertThrowsError(try t.fit(on: source))
  }
}
