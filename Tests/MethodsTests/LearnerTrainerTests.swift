import Core
import ToyProblems
import XCTest

@testable import Methods

/// `LearnerTrainer`, the recipe-driven configuration of Core's `Trainer`.
final class LearnerTrainerTests: XCTestCase {
  /// Ascent flips the loss gradient, not the weight decay: w' = w − η·(−∇L + λ·w).
  func testAscentFlipsTheLossGradientButNotTheDecay() throws {
    let train = Blobs(perClass: 4, seed: 2)
    let learner = try softmaxRegression(features: 4, classes: 3, seed: 4)
    let w = learner.parameterVector()
    let batch = try train.batch(at: Array(0..<12))
    let (_, g) = try learner.lossAndGradient(inputs: batch.inputs, targets: .labels(batch.labels), stepSeed: 0)
    let recipe = TrainingRecipe(epochs: 1, batchSize: 12, learningRate: 0.1, momentum: 0, weightDecay: 0.01, seed: 1)
    let summary = try LearnerTrainer.train(learner, TrainingRequest(source: train, recipe: recipe, ascend: true))
    XCTAssertEqual(summary.steps, 1)
    XCTAssertGreaterThan(summary.lastEpochLoss, 0, "the reported loss is the cross-entropy")
    let after = learner.parameterVector()
    for i in w.indices { XCTAssertEqual(after[i], w[i] - 0.1 * (-g[i] + 0.01 * w[i]), accuracy: 1e-6) }
  }

  /// Relabelling changes the targets of the named samples only; a cap stops the run.
  func testRelabelAndStepCap() throws {
    let train = Blobs(perClass: 4, seed: 2)
    let a = try softmaxRegression(features: 4, classes: 3, seed: 4)
    let b = try softmaxRegression(features: 4, classes: 3, seed: 4)
    let recipe = TrainingRecipe(epochs: 3, batchSize: 4, learningRate: 0.1, momentum: 0.9, weightDecay: 0, seed: 1)
    let s = try LearnerTrainer.train(a, TrainingRequest(source: train, recipe: recipe, maxSteps: 4))
    XCTAssertEqual(s.steps, 4)
    let relabelled = try RelabelledSource(base: train, replacing: [0: 2])
    try LearnerTrainer.train(b, TrainingRequest(source: relabelled, recipe: recipe, maxSteps: 4))
    XCTAssertNotEqual(a.parameterVector(), b.parameterVector())
  }
}
