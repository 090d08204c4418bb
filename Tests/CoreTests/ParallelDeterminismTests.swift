import XCTest

@testable import Core
@testable import LetheKernels

/// Both cores work on every step, yet the same seed must give the same weights run after run:
/// the parallel kernels may not let thread timing decide the order of a sum.
final class ParallelDeterminismTests: XCTestCase {
  /// Parameters after a few SGD steps of `name` on seeded data, with two threads.
  private func train(_ name: String, shape: [Int], batch: Int, steps: Int) throws -> [Float] {
    let saved = Parallel.threadCount
    Parallel.threadCount = 2
    defer { Parallel.threadCount = saved }
    let model = try Models.make(name, inputShape: shape, classes: 10, seed: 4)
    var rng = RandomGenerator(seed: 8)
    let x = Variable(Tensor.normal([batch] + shape, rng: &rng))
    let targets = (0..<batch).map { $0 % 10 }
    let sgd = try SGD(parameters: model.parameters(), learningRate: 0.01, momentum: 0.9)
    for _ in 0..<steps {
      sgd.zeroGrad()
      try Functional.crossEntropy(try model(x), targets: targets).backward()
      try sgd.step()
    }
    return model.stateDict().flatMap { $0.1.storage }
  }

  func testCNNTrainingRepeatsBitForBitOnTwoThreads() throws {
    let first = try train("cnn", shape: [1, 28, 28], batch: 64, steps: 2)
    for _ in 0..<3 {
      XCTAssertTrue(try train("cnn", shape: [1, 28, 28], batch: 64, steps: 2) == first, "weights differ")
    }
  }

  func testResNetTrainingRepeatsBitForBitOnTwoThreads() throws {
    let first = try train("resnet18", shape: [3, 16, 16], batch: 8, steps: 1)
    XCTAssertTrue(try train("resnet18", shape: [3, 16, 16], batch: 8, steps: 1) == first, "weights differ")
  }
}
