import Core
import ToyProblems
import XCTest

@testable import Methods

/// `unlearnable` on 240 faint 8×8 images of 4 classes whose last 24 carry a wrong label: M0 (an
/// MLP) fits them only by memorising them, and they are x*.
final class UnlearnableTests: XCTestCase {
  let recipe = TrainingRecipe(epochs: 30, batchSize: 16, learningRate: 0.05, momentum: 0.9, weightDecay: 0, seed: 3)

  struct Problem {
    let data: Dataset
    let forget: [Int]
    let initial: ModuleLearner
    let m0: Learner
  }

  func problem() throws -> Problem {
    let data = try toyImages(mislabelled: 24, seed: 5)
    var options = Models.Options()
    options.mlpHidden = [64]
    options.mlpActivation = .relu
    let initial = ModuleLearner(
      try Models.make("mlp", inputShape: [1, 8, 8], classes: 4, seed: 1, options: options), classCount: 4)
    let m0 = initial.copy()
    try LearnerTrainer.train(m0, TrainingRequest(source: data, recipe: recipe))
    return Problem(data: data, forget: Array(216..<240), initial: initial, m0: m0)
  }

  func context(_ p: Problem, options: [String: OptionValue] = [:], normalized: Bool = true) throws -> UnlearningContext {
    let method = UnlearnableMethod()
    var request = try ForgetRequest(train: p.data, forget: p.forget)
    request.normalization = normalized ? p.data.normalization : nil
    return UnlearningContext(
      model: p.m0.copy(), request: request,
      options: try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test"), recipe: recipe,
      initialState: p.initial.stateVector(), seed: 4)
  }

  /// The noise search's promise: under the noise model, the perturbed samples' training loss falls
  /// below 0.2 (error ≤ 1%, the stop condition) while the same samples without noise stay hard
  /// (loss above 1); δ stays within 8/255 of the raw pixels and inside [0, 1].
  func testNoiseDrivesThePerturbedSamplesLossBelowThreshold() throws {
    let p = try problem()
    let noiseModel = p.initial.copy().singleModule!
    let result = try ErrorMinimizingNoise.search(
      noiseModel: noiseModel, train: p.data, positions: p.forget, normalization: p.data.normalization,
      recipe: recipe, seed: 9)
    XCTAssertTrue(result.converged, "rounds \(result.rounds)")
    XCTAssertLessThanOrEqual(result.error, 0.01)
    XCTAssertLessThan(result.loss, 0.2)
    XCTAssertGreaterThan(result.cleanLoss, 1)
    let clean = try p.data.batch(at: p.forget).inputs.storage
    let (mean, std) = (p.data.normalization.mean[0], p.data.normalization.std[0])
    for (i, d) in result.delta.enumerated() {
      XCTAssertLessThanOrEqual(abs(d), 8 / 255 + 1e-6)
      let raw = clean[i] * std + mean + d
      XCTAssertTrue(raw >= -1e-5 && raw <= 1 + 1e-5, "pixel \(i): \(raw)")
      XCTAssertEqual(result.normalizedDelta[i], d / std, accuracy: 1e-6)
    }
  }

  /// The method's promise: retrained with x* + δ, the model does not learn x* itself — on clean x*
  /// its accuracy is at least 50 points below M0's, which was trained the same way on clean x* and
  /// memorised it (≥ 90%).
  func testTrainingWithPerturbedForgetSetLowersCleanAccuracyOnIt() throws {
    let p = try problem()
    let memorised = try Evaluation.accuracy(of: p.m0, on: p.data, indices: p.forget)
    XCTAssertGreaterThanOrEqual(memorised, 90)
    let result = try UnlearnableMethod().unlearn(try context(p))
    let unlearned = try Evaluation.accuracy(of: result.model, on: p.data, indices: p.forget)
    XCTAssertLessThanOrEqual(unlearned, memorised - 50, "\(result.notes)")
    XCTAssertGreaterThan(try Evaluation.accuracy(of: result.model, on: p.data), 80, "still a model of the rest")
    for key in ["noise_rounds", "noise_error", "noise_loss", "noise_linf", "noise_mean_abs", "noise_at_bound"] {
      XCTAssertNotNil(result.notes[key], key)
    }
    XCTAssertEqual(result.notes["noise_linf"], "8.00/255")
  }

  func testDataWithoutImagesOrNormalisationFailsWithAClearMessage() throws {
    let toy = try ToySetup()
    XCTAssertThrowsError(try UnlearnableMethod().unlearn(toy.context(UnlearnableMethod(), forget: [0]))) {
      XCTAssertTrue("\($0)".contains("samples of shape [4], not [channels, height, width]"), "\($0)")
    }
    let p = try problem()
    XCTAssertThrowsError(try UnlearnableMethod().unlearn(try context(p, normalized: false))) {
      XCTAssertTrue("\($0)".contains("normalisation is unknown"), "\($0)")
    }
    XCTAssertThrowsError(try UnlearnableMethod().unlearn(try context(p, options: ["max_rounds": .number(0)]))) {
      XCTAssertTrue("\($0)".contains("max_rounds"), "\($0)")
    }
  }
}
