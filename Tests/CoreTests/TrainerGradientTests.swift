import XCTest

@testable import Core

/// The training loop's gradient handling: a non-finite gradient stops training at that step,
/// naming the parameter; `clipGradientNorm` bounds every step.
final class TrainerGradientTests: XCTestCase {
  private let source = SyntheticSource(samples: 48, shape: [8], classes: 3, seed: 5)

  private func trainer(_ m: Module, clip: Double? = nil) throws -> Trainer {
    var c = TrainingConfig()
    c.epochs = 2
    c.batchSize = 16
    c.progress = .silent
    c.clipGradientNorm = clip
    return Trainer(model: m, optimizer: try SGD(parameters: m.parameters(), learningRate: 0.5), config: c)
  }

  private func model() throws -> Module {
    var rng = RandomGenerator(seed: 1)
    return Sequential([try Linear(8, 16, rng: &rng), Tanh(), try Linear(16, 3, rng: &rng)])
  }

  func testNonFiniteGradientNamesTheParameterAndStep() throws {
    let m = try model()
    let t = try trainer(m)
    // √(0·w) is 0 (a finite loss) but its gradient is 0·∞ = NaN, for 2.weight only.
    t.extraLoss = { model, _ in try (model.parameter(named: "2.weight")! * 0).sqrt().sum() }
    XCTAssertThrowsError(try t.fit(on: source)) { error in
      XCTAssertEqual(error as? TrainingError, .nonFiniteGradient(parameter: "2.weight", epoch: 0, step: 0))
      XCTAssertEqual("\(error)", "the gradient of '2.weight' is not finite at epoch 1, step 1")
    }
  }

  func testClippingBoundsEveryStep() throws {
    let frozen = try model()
    let before = frozen.parameterVector()
    try trainer(frozen, clip: 0).fit(on: source)
    XCTAssertEqual(frozen.parameterVector(), before, "a zero bound leaves plain SGD where it was")

    let m = try model()
    let t = try trainer(m, clip: 0.01)
    var largest = 0.0
    t.beforeUpdate = { _ in largest = Swift.max(largest, Gradients.norm(of: m.parameters())) }
    try t.fit(on: source)
    XCTAssertLessThanOrEqual(largest, 0.01 + 1e-6)
    XCTAssertGreaterThan(largest, 0.009, "the bound is reached, not just respected")
    var bad = TrainingConfig()
    bad.clipGradientNorm = -1
    XCTAssertThrowsError(try bad.validate())
  }
}
