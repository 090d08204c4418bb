import Core
import Foundation
import TestSupport
import XCTest

@testable import Methods

final class ModuleLearnerTests: XCTestCase {
  /// The adapter's loss and gradients equal PyTorch's on the MNIST CNN (the SGD steps on the same
  /// fixture are checked on Core's `SGD` in `NNFixtureTests`).
  func testCNNGradientsMatchPyTorch() throws {
    guard let url = TestFixtures.torch("cnn.safetensors") else {
      throw XCTSkip(TestFixtures.missing("cnn.safetensors"))
    }
    let file = try SafeTensors.read(url)
    var options = Models.Options()
    options.cnnDropout1 = 0
    options.cnnDropout2 = 0
    let model = try Models.make("cnn", inputShape: [1, 28, 28], classes: 10, seed: 1, options: options)
    try Checkpoint.apply(file, to: model, prefix: "params.", strict: false, fileName: "cnn.safetensors")
    let learner = ModuleLearner(model, classCount: 10)
    let names = model.namedParameters().map(\.0)
    func flat(_ prefix: String) throws -> [Float] { try names.flatMap { try file.float(prefix + $0).storage } }

    let x = try file.float("input")
    let labels = try file.ints("target")
    let (loss, g) = try learner.lossAndGradient(inputs: x, targets: .labels(labels), stepSeed: 0)
    XCTAssertEqual(Float(loss), try file.float("loss").storage[0], accuracy: 1e-4)
    XCTAssertLessThan(relativeError(g, try flat("grad.")), 1e-4)

    // Soft targets equal to one-hot labels give the same loss and gradient.
    var oneHot = [Float](repeating: 0, count: labels.count * 10)
    for (i, l) in labels.enumerated() { oneHot[i * 10 + l] = 1 }
    let hard = try learner.lossAndGradient(inputs: x, targets: .labels(labels), stepSeed: 2)
    let soft = try learner.lossAndGradient(
      inputs: x, targets: .distributions(Tensor(shape: [labels.count, 10], storage: oneHot)), stepSeed: 2)
    XCTAssertEqual(hard.loss, soft.loss, accuracy: 1e-5)
    XCTAssertLessThan(relativeError(soft.gradient, hard.gradient), 1e-5)
    XCTAssertThrowsError(try learner.lossAndGradient(inputs: x, targets: .labels([1]), stepSeed: 0))
  }

  /// State vectors carry batch-norm running statistics; copies are independent.
  func testStateVectorRoundTripsBuffersAndCopiesAreDeep() throws {
    var rng = RandomGenerator(seed: 5)
    let block = try BasicBlock(2, 2, stride: 1, rng: &rng)
    let learner = ModuleLearner(block, classCount: 2)
    let before = learner.stateVector()
    XCTAssertGreaterThan(before.count, learner.parameterCount, "buffers are part of the state")
    let copy = learner.copy()
    // A training-mode forward updates the running statistics of the original only.
    block.train()
    _ = try block(Variable(Tensor.normal([4, 2, 3, 3], rng: &rng)))
    XCTAssertNotEqual(learner.stateVector(), before)
    XCTAssertEqual(copy.stateVector(), before)
    try learner.loadStateVector(before)
    XCTAssertEqual(learner.stateVector(), before)
    XCTAssertThrowsError(try learner.loadStateVector([1, 2, 3]))
  }

  private func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var diff: Float = 0
    var scale: Float = 0
    for i in a.indices {
      diff = max(diff, abs(a[i] - b[i]))
      scale = max(scale, abs(b[i]))
    }
    return diff / max(scale, 1e-30)
  }
}
