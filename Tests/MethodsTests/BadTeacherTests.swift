import Core
import ToyProblems
import XCTest

@testable import Methods

/// `bad_teacher` on label unlearning of one class of ten: 500 noisy 8×8 training images (50 per
/// class) and 200 test images of the same classes; M0 (an MLP) memorises its training set
/// (100% on the forgotten class) and reaches about 80% on the test set.
final class BadTeacherTests: XCTestCase {
  let recipe = TrainingRecipe(epochs: 20, batchSize: 16, learningRate: 0.05, momentum: 0.9, weightDecay: 0, seed: 3)
  let forgotten = 2

  /// The paper's property: ACC_deleted falls to within 10 points of chance (10% for ten classes)
  /// while the retained classes' test accuracy stays within 3 points of M0's; and the unlearned
  /// model is closer to the incompetent teacher on x* than M0 is (a higher ZRF).
  ///
  /// The reference's optimiser and learning rate (Adam, 1e-4) are kept, but one epoch of batches
  /// of 256 would be a single step on 185 samples (on Fashion-MNIST's label scenario it is ~87
  /// steps): the toy runs 100 epochs of batches of 16 instead.
  func testForgetsTheClassToChanceAndKeepsTheOthers() throws {
    let all = try toyImages(classes: 10, perClass: 70, contrast: 0.04, noise: 0.2, seed: 5)
    let train = try all.subset(Array(0..<500))
    let test = try all.subset(Array(500..<700))
    var options = Models.Options()
    options.mlpHidden = [64]
    options.mlpActivation = .relu
    let initial = ModuleLearner(
      try Models.make("mlp", inputShape: [1, 8, 8], classes: 10, seed: 1, options: options), classCount: 10)
    let m0 = initial.copy()
    try LearnerTrainer.train(m0, TrainingRequest(source: train, recipe: recipe))
    let forget = (0..<train.sampleCount).filter { train.label(at: $0) == forgotten }
    let keptTest = (0..<test.sampleCount).filter { test.label(at: $0) != forgotten }
    XCTAssertEqual(try Evaluation.accuracy(of: m0, on: train, indices: forget), 100, "M0 memorised x*")
    let m0Kept = try Evaluation.accuracy(of: m0, on: test, indices: keptTest)

    let method = BadTeacherMethod()
    let context = UnlearningContext(
      model: m0.copy(), request: try ForgetRequest(train: train, forget: forget),
      options: try MethodOptions.resolve(
        ["epochs": .number(100), "batch_size": .number(16)], specs: method.descriptor.options, owner: "test"),
      recipe: recipe, initialState: initial.stateVector(), seed: 4)
    let result = try method.unlearn(context)
    let deleted = try Evaluation.accuracy(of: result.model, on: train, indices: forget)
    XCTAssertLessThanOrEqual(abs(deleted - 10), 10, "ACC_deleted \(deleted)")
    XCTAssertLessThanOrEqual(abs(try Evaluation.accuracy(of: result.model, on: test, indices: keptTest) - m0Kept), 3)
    XCTAssertEqual(result.notes["retained_sample"], "135", "30% of the 450 retained samples")
    XCTAssertEqual(result.notes["forget"], "50")

    func zrf(_ model: Learner) throws -> Double {
      try ZeroRetrainForgetting.score(
        try OutputMatrix(Evaluation.logits(of: model, on: train, indices: forget)),
        incompetent: try OutputMatrix(Evaluation.logits(of: initial, on: train, indices: forget)))
    }
    XCTAssertGreaterThan(try zrf(result.model), try zrf(m0) + 0.1)
  }

  func testBadOptionsAreClearErrors() throws {
    let toy = try ToySetup()
    XCTAssertThrowsError(try BadTeacherMethod().unlearn(
      toy.context(BadTeacherMethod(), forget: [0], options: ["retained_fraction": .number(1.5)]))) {
      XCTAssertTrue("\($0)".contains("retained_fraction"), "\($0)")
    }
    XCTAssertThrowsError(try BadTeacherMethod().unlearn(
      toy.context(BadTeacherMethod(), forget: [0], options: ["temperature": .number(0)]))) {
      XCTAssertTrue("\($0)".contains("temperature"), "\($0)")
    }
  }
}
