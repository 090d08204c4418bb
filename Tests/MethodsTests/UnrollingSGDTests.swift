import Core
import ToyProblems
import XCTest

@testable import Methods

/// Unrolling SGD's promise (Thudi et al., 2022): adding back the forget samples' gradient at an
/// earlier iterate, scaled by the steps that saw them, approximates retraining without them to
/// first order — M_unlearn lands closer to M_retrain than M0 is — and the std(logits)
/// regulariser shrinks the logits' spread.
final class UnrollingSGDTests: XCTestCase {
  struct Setup {
    let train = Blobs(perClass: 40, seed: 1)
    let recipe: TrainingRecipe
    let initial: Learner
    let m0: Learner
    var artifacts = PreparedArtifacts()

    init(momentum: Double, options: [String: OptionValue]) throws {
      recipe = TrainingRecipe(epochs: 4, batchSize: 16, learningRate: 0.02, momentum: momentum, weightDecay: 0, seed: 3)
      initial = try softmaxRegression(features: 4, classes: 3, seed: 1)
      m0 = initial.copy()
      let method = UnrollingSGDMethod()
      let resolved = try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test")
      let observer = try XCTUnwrap(try method.prepare(options: resolved))
      var request = TrainingRequest(source: train, recipe: recipe)
      request.observers = [("unrolling_sgd", observer)]
      artifacts = try LearnerTrainer.train(m0, request).artifacts
    }

    /// (‖M0 − M_retrain‖, ‖M_unlearn − M_retrain‖) for `forget`.
    func distances(forget: [Int], options: [String: OptionValue]) throws -> (Double, Double) {
      let method = UnrollingSGDMethod()
      let request = try ForgetRequest(train: train, forget: forget)
      let retrained = initial.copy()
      try LearnerTrainer.train(retrained, TrainingRequest(source: train, indices: request.retained, recipe: recipe))
      let context = UnlearningContext(
        model: m0.copy(), request: request,
        options: try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test"),
        recipe: recipe, initialState: initial.stateVector(), artifacts: artifacts, seed: 7)
      let result = try method.unlearn(context)
      func dist(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
      }
      let reference = retrained.parameterVector()
      return (dist(m0.parameterVector(), reference), dist(result.model.parameterVector(), reference))
    }
  }

  func testUnrolledStepMovesM0TowardsRetraining() throws {
    var rng = RandomGenerator(seed: 9)
    let forget = Array(rng.permutation(120).prefix(12)).sorted()
    // The paper's analysis is for plain SGD. With momentum, the steady-state step η/(1−μ) applied
    // to the large gradient at the initial weights overshoots (0.17 → 0.63 here), while a later
    // checkpoint works (0.17 → 0.08): docs/methods.md says so.
    for (momentum, epoch) in [(0.0, 0), (0.0, 2), (0.9, 2)] {
      let options: [String: OptionValue] = ["std_weight": .number(0), "checkpoint_epoch": .number(Double(epoch))]
      let setup = try Setup(momentum: momentum, options: options)
      if epoch > 0 {
        XCTAssertNotNil(setup.artifacts.vector(method: "unrolling_sgd", name: "checkpoint.\(epoch)"))
      }
      let (before, after) = try setup.distances(forget: forget, options: options)
      XCTAssertLessThan(after, 0.6 * before, "momentum \(momentum), checkpoint \(epoch): \(before) → \(after)")
    }
  }

  func testRegulariserChangesTrainingAndShrinksLogitSpread() throws {
    let method = UnrollingSGDMethod()
    let watch = try XCTUnwrap(try method.prepare(options: MethodOptions(values: ["std_weight": .number(0),
      "checkpoint_epoch": .number(0)])))
    XCTAssertNil(watch.trainingChange, "weight 0 only watches: the shared M0 serves")
    let shaped = try Setup(momentum: 0, options: ["std_weight": .number(1)])
    let plain = try Setup(momentum: 0, options: ["std_weight": .number(0)])
    let x = try shaped.train.batch(at: Array(0..<120)).inputs
    func spread(_ l: Learner) throws -> Double {
      let v = try l.logits(inputs: x).storage
      let mean = v.reduce(0, +) / Float(v.count)
      return Double(v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(v.count - 1)).squareRoot()
    }
    XCTAssertLessThan(try spread(shaped.m0), 0.8 * (try spread(plain.m0)))
    let observer = try XCTUnwrap(try method.prepare(options: MethodOptions(values: ["std_weight": .number(1),
      "checkpoint_epoch": .number(0)])))
    XCTAssertEqual(observer.trainingChange, "std_loss weight=1.0")
  }

  func testBadOptionsAreClearErrors() throws {
    let setup = try Setup(momentum: 0, options: ["std_weight": .number(0)])
    XCTAssertThrowsError(try setup.distances(forget: [0, 1], options: ["checkpoint_epoch": .number(4)])) {
      XCTAssertTrue("\($0)".contains("below M0's 4 epochs"), "\($0)")
    }
    XCTAssertThrowsError(try setup.distances(forget: [0, 1], options: ["checkpoint_epoch": .number(2)])) {
      XCTAssertTrue("\($0)".contains("no checkpoint of epoch 2"), "\($0)")
    }
    XCTAssertThrowsError(
      try UnrollingSGDMethod().prepare(options: MethodOptions(values: ["std_weight": .number(-1),
        "checkpoint_epoch": .number(0)])))
  }
}
