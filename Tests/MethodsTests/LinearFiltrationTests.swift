import Core
import ToyProblems
import XCTest

@testable import Methods

/// Linear Filtration's promise (Baumhauer et al., 2022): after filtering the last layer, the
/// forgotten class is (almost) never predicted, while the retained classes' accuracy stays
/// within 1 point of M0's. It serves label unlearning only and says so otherwise.
final class LinearFiltrationTests: XCTestCase {
  struct Setup {
    let train = Blobs(classes: 4, perClass: 60, features: 8, spread: 1.2, seed: 1)
    let test = Blobs(classes: 4, perClass: 50, features: 8, spread: 1.2, seed: 2)
    let m0: Learner
    let recipe = TrainingRecipe(epochs: 15, batchSize: 16, learningRate: 0.05, momentum: 0.9, weightDecay: 0, seed: 3)

    init() throws {
      var rng = RandomGenerator(seed: 5)
      m0 = ModuleLearner(
        try Models.mlp(inputFeatures: 8, classes: 4, hidden: [16], activation: .relu, rng: &rng), classCount: 4)
      try LearnerTrainer.train(m0, TrainingRequest(source: train, recipe: recipe))
    }

    func context(forget: [Int], options: [String: OptionValue] = [:]) throws -> UnlearningContext {
      let method = LinearFiltrationMethod()
      return UnlearningContext(
        model: m0.copy(), request: try ForgetRequest(train: train, forget: forget, test: test),
        options: try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test"),
        recipe: recipe, initialState: m0.stateVector(), seed: 9)
    }

    /// Predicted classes of every test sample (argmax over all outputs of the model itself).
    func predictions(_ model: Learner) throws -> [Int] {
      try Evaluation.logits(of: model, on: test, batchSize: 100).argmaxIndices(axis: 1)
    }
  }

  func testForgottenClassIsNeverPredictedAndRetainedAccuracyHolds() throws {
    let setup = try Setup()
    let m0Predictions = try setup.predictions(setup.m0)
    for (forgotten, mode) in [([2], "normalization"), ([0, 3], "normalization"), ([1], "zeroing"), ([1], "naive")] {
      let forget = (0..<setup.train.sampleCount).filter { forgotten.contains(setup.train.labels[$0]) }
      let result = try LinearFiltrationMethod().unlearn(try setup.context(forget: forget, options: ["mode": .string(mode)]))
      XCTAssertEqual(result.removedClasses, forgotten)
      let predicted = try setup.predictions(result.model)
      let share = Double(predicted.filter { forgotten.contains($0) }.count) / Double(predicted.count)
      XCTAssertLessThanOrEqual(share, 0.01, "\(mode) \(forgotten): forgotten classes still predicted")
      let kept = setup.test.labels.indices.filter { !forgotten.contains(setup.test.labels[$0]) }
      func accuracy(_ p: [Int]) -> Double {
        100 * Double(kept.filter { p[$0] == setup.test.labels[$0] }.count) / Double(kept.count)
      }
      XCTAssertGreaterThan(accuracy(m0Predictions), 80, "M0 has learnt the task")
      XCTAssertGreaterThanOrEqual(
        accuracy(predicted), accuracy(m0Predictions) - 1, "\(mode) \(forgotten): retained accuracy within 1 point")
    }
  }

  func testSampleUnlearningIsRefusedWithTheReason() throws {
    let setup = try Setup()
    let context = try setup.context(forget: [0, 5, 70])
    let method = LinearFiltrationMethod()
    let reason = method.applicability(to: context.request, model: context.model, options: context.options).reason
    XCTAssertTrue(reason?.contains("sample unlearning") == true, "\(reason ?? "nil")")
    XCTAssertThrowsError(try method.unlearn(context)) { XCTAssertTrue("\($0)".contains("label unlearning"), "\($0)") }
    XCTAssertThrowsError(try setup.context(forget: Array(0..<60), options: ["mode": .string("shuffle")])) {
      XCTAssertTrue("\($0)".contains("normalization"), "\($0)")
    }
  }
}
