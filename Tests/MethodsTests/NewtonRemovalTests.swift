import Core
import ToyProblems
import XCTest

@testable import Methods

/// CR's and Sekhari et al.'s promise on their convex setting: on L2-regularised logistic
/// regression over fixed features, trained to its optimum, one Newton step after removing 1%
/// of the points lands far closer to retraining to convergence than M0 is, and the gradient
/// residual obeys Guo et al.'s bound ‖Δ‖·‖AΔ‖·‖A‖₂/4.
final class NewtonRemovalTests: XCTestCase {
  struct Setup {
    let problem: ConvexLogistic
    let forget: [Int]
    let retained: [Int]
    let m0: [Double]
    let retrained: [Double]
    let recipe: TrainingRecipe

    init() throws {
      problem = try ConvexLogistic(n: 800, d: 6, lambda: 0.01, seed: 4)
      var rng = RandomGenerator(seed: 8)
      forget = Array(rng.permutation(800).prefix(8)).sorted()  // 1%
      let set = Set(forget)
      retained = (0..<800).filter { !set.contains($0) }
      m0 = try problem.optimum(Array(0..<800))
      retrained = try problem.optimum(retained)
      // M0's objective: weight decay λ is the L2 term (λ/2·‖θ‖² added to the mean loss).
      recipe = TrainingRecipe(weightDecay: problem.lambda)
    }

    func unlearn(_ method: UnlearningMethod, options: [String: OptionValue], artifacts: PreparedArtifacts) throws
      -> (theta: [Double], result: UnlearningResult)
    {
      let model = try problem.model(m0)
      let context = UnlearningContext(
        model: model, request: try ForgetRequest(train: problem.source, forget: forget),
        options: try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test"),
        recipe: recipe, initialState: model.stateVector(), artifacts: artifacts, seed: 5)
      let result = try method.unlearn(context)
      return (result.model.parameterVector().map(Double.init), result)
    }

    /// Asserts the two properties and returns (distance ratio, residual, bound).
    func check(_ theta: [Double], _ name: String) throws -> (Double, Double, Double) {
      let before = ConvexLogistic.distance(m0, retrained)
      let after = ConvexLogistic.distance(theta, retrained)
      let residual = problem.summedGradient(theta, retained).reduce(0) { $0 + $1 * $1 }.squareRoot()
      let bound = try problem.residualBound(delta: zip(theta, m0).map { $0 - $1 }, retained)
      XCTAssertGreaterThan(before, 1e-3, "removing 1% moves the optimum visibly")
      XCTAssertLessThanOrEqual(after, 0.05 * before, "\(name): ‖θ − θ_retrain‖ \(after) vs M0's \(before)")
      // Float32 parameters add a rounding floor of about 1e-4 to the summed residual.
      XCTAssertLessThanOrEqual(residual, bound + 2e-4, "\(name): residual \(residual), bound \(bound)")
      return (after / before, residual, bound)
    }
  }

  /// Options for the paper's setting: every parameter, the exact Hessian (all retained points,
  /// no extra damping), no validation set (the request has none).
  let convex: [String: OptionValue] = ["selection": .string("all"), "l2": .number(0), "hessian_samples": .number(0)]

  func testCRLandsNextToRetrainingOnLogisticRegression() throws {
    let setup = try Setup()
    let (theta, result) = try setup.unlearn(CertifiedRemovalMethod(), options: convex, artifacts: PreparedArtifacts())
    let (ratio, residual, bound) = try setup.check(theta, "cr")
    XCTAssertEqual(result.notes["selection"], "all parameters")
    print("cr: distance ratio \(ratio), residual \(residual) ≤ bound \(bound)")
  }

  func testSekhariFromStoredHessianLandsNextToRetraining() throws {
    let setup = try Setup()
    let method = SekhariMethod()
    // prepare's end-of-training hook on the trained M0 stores the dense Hessian over D.
    let observer = try XCTUnwrap(try method.prepare(options: MethodOptions()))
    var artifacts = PreparedArtifacts()
    try observer.trainingDidFinish(try setup.problem.model(setup.m0), source: setup.problem.source, indices: nil,
      artifacts: &artifacts)
    XCTAssertEqual(artifacts.vector(method: "sekhari", name: "dense.hessian")?.count, 144)
    var options = convex
    options["hessian"] = .string("dense")
    let (theta, result) = try setup.unlearn(method, options: options, artifacts: artifacts)
    let (ratio, residual, bound) = try setup.check(theta, "sekhari")
    XCTAssertTrue(result.notes["hessian"]?.hasPrefix("dense") == true, "\(result.notes)")
    print("sekhari: distance ratio \(ratio), residual \(residual) ≤ bound \(bound)")
    // Without stored statistics the dense mode says why it cannot run.
    XCTAssertThrowsError(try setup.unlearn(method, options: options, artifacts: PreparedArtifacts())) {
      XCTAssertTrue("\($0)".contains("no dense Hessian"), "\($0)")
    }
  }
}
