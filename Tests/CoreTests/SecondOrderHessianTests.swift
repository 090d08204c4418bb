import XCTest

@testable import Core

/// Finite-difference Hessian-vector products against exact ones: the closed-form Hessian of a
/// logistic regression, and complex-step products of a tanh MLP and a conv layer computed by
/// `Tests/Fixtures/secondorder/reference.py`.
final class SecondOrderHessianTests: XCTestCase {
  struct Problem {
    let name: String
    let objective: SubsetObjective
    let v: [Double]
    let exact: [Double]
  }

  func problems() throws -> [Problem] {
    let lr = try SecondOrderProblems.LogisticRegression()
    let lrV = SecondOrderProblems.vector(7, salt: 52)
    let (mlp, mx, mt) = try SecondOrderProblems.mlp()
    let (conv, cx, ct) = try SecondOrderProblems.conv()
    return [
      Problem(
        name: "logistic regression",
        objective: SubsetObjective(subset: ParameterSubset(allOf: lr.model), loss: lr.loss), v: lrV,
        exact: try lr.exactHessian().times(lrV)),
      Problem(
        name: "tanh MLP",
        objective: SubsetObjective(
          subset: ParameterSubset(allOf: mlp), loss: SecondOrderProblems.crossEntropy(mlp, mx, mt)),
        v: SecondOrderProblems.vector(43, salt: 50), exact: SecondOrderReference.mlpHVP),
      Problem(
        name: "conv layer",
        objective: SubsetObjective(
          subset: ParameterSubset(allOf: conv), loss: SecondOrderProblems.crossEntropy(conv, cx, ct)),
        v: SecondOrderProblems.vector(47, salt: 51), exact: SecondOrderReference.convHVP),
    ]
  }

  func testLogisticClosedFormMatchesNumPy() throws {
    let lr = try SecondOrderProblems.LogisticRegression()
    let exact = try lr.exactHessian().times(SecondOrderProblems.vector(7, salt: 52))
    XCTAssertLessThan(relativeError(exact, SecondOrderReference.lrHVP), 1e-12)
  }

  func testGradientsMatchNumPy() throws {
    let (mlp, mx, mt) = try SecondOrderProblems.mlp()
    let e = try SubsetObjective(
      subset: ParameterSubset(allOf: mlp), loss: SecondOrderProblems.crossEntropy(mlp, mx, mt)
    ).evaluate()
    XCTAssertEqual(e.value, SecondOrderReference.mlpLoss, accuracy: 1e-6)
    XCTAssertLessThan(relativeError(e.gradient, SecondOrderReference.mlpGradient), 1e-5)
    let (conv, cx, ct) = try SecondOrderProblems.conv()
    let g = try SubsetObjective(
      subset: ParameterSubset(allOf: conv), loss: SecondOrderProblems.crossEntropy(conv, cx, ct)
    ).gradient()
    XCTAssertLessThan(relativeError(g, SecondOrderReference.convGradient), 1e-5)
  }

  /// The error of both schemes over a range of steps (printed), and at the defaults: central
  /// ≤ 1e-4, Richardson ≤ 3e-5 relative on all three problems (measured: central ≈ 1e-5,
  /// Richardson ≈ 5e-6; the sweep shows rounding error growing below the defaults and
  /// truncation error above).
  func testErrorAgainstExactHessians() throws {
    let problems = try problems()
    for scheme in HessianVectorProduct.Scheme.allCases {
      for step in [1e-3, 1e-2, 5e-2, 1e-1, 3e-1] {
        let errors = try problems.map { p in
          relativeError(try HessianVectorProduct(objective: p.objective, scheme: scheme, relativeStep: step)(p.v), p.exact)
        }
        print("HVP \(scheme) step \(step): " + errors.map { String(format: "%.1e", $0) }.joined(separator: " "))
      }
    }
    for p in problems {
      let central = try HessianVectorProduct(objective: p.objective, scheme: .central)(p.v)
      let richardson = try HessianVectorProduct(objective: p.objective)(p.v)
      XCTAssertLessThan(relativeError(central, p.exact), 1e-4, "\(p.name) central")
      XCTAssertLessThan(relativeError(richardson, p.exact), 3e-5, "\(p.name) Richardson")
    }
  }

  /// Dense Hessians over slices (a linear unit, a conv channel) against the reference's.
  func testDenseHessianOnSlices() throws {
    let (mlp, mx, mt) = try SecondOrderProblems.mlp()
    let (conv, cx, ct) = try SecondOrderProblems.conv()
    let cases = [
      (mlp as Module, mx, mt, ParameterSlice(layer: "fc2", unit: 1), 6, SecondOrderReference.mlpHessianFc2Unit1),
      (conv, cx, ct, ParameterSlice(layer: "conv", unit: 1), 10, SecondOrderReference.convHessianChannel1),
    ]
    for (model, x, t, slice, count, reference) in cases {
      let subset = try ParameterSubset(model: model, slices: [slice])
      XCTAssertEqual(subset.count, count)
      let h = try HessianVectorProduct(
        objective: SubsetObjective(subset: subset, loss: SecondOrderProblems.crossEntropy(model, x, t))
      ).dense()
      XCTAssertLessThan(relativeError(h.storage, reference), 3e-5, "\(slice)")
      XCTAssertEqual(h.asymmetry, 0)
    }
  }

  /// A product leaves the model exactly as it was: values bit for bit, gradients and flags.
  func testProductRestoresTheModel() throws {
    let (mlp, mx, mt) = try SecondOrderProblems.mlp()
    let before = mlp.parameterVector()
    let fc1 = mlp.parameter(named: "fc1.weight")!
    fc1.grad = Tensor.ones(fc1.shape)
    mlp.parameter(named: "fc1.bias")!.requiresGrad = false
    let subset = try ParameterSubset(model: mlp, parameters: ["fc1.weight", "fc2.weight"])
    let hvp = try HessianVectorProduct(
      objective: SubsetObjective(subset: subset, loss: SecondOrderProblems.crossEntropy(mlp, mx, mt)))
    _ = try hvp(SecondOrderProblems.vector(subset.count, salt: 3))
    XCTAssertEqual(mlp.parameterVector(), before)
    XCTAssertEqual(fc1.grad, Tensor.ones(fc1.shape))
    XCTAssertNil(mlp.parameter(named: "fc2.weight")!.grad)
    XCTAssertFalse(mlp.parameter(named: "fc1.bias")!.requiresGrad)
    XCTAssertTrue(fc1.requiresGrad)
  }

  func testBadArguments() throws {
    let (mlp, mx, mt) = try SecondOrderProblems.mlp()
    let objective = SubsetObjective(
      subset: ParameterSubset(allOf: mlp), loss: SecondOrderProblems.crossEntropy(mlp, mx, mt))
    let hvp = try HessianVectorProduct(objective: objective)
    XCTAssertThrowsError(try hvp([1, 2, 3]))
    XCTAssertThrowsError(try hvp([Double](repeating: .nan, count: 43)))
    XCTAssertEqual(try hvp([Double](repeating: 0, count: 43)), [Double](repeating: 0, count: 43))
    XCTAssertThrowsError(try HessianVectorProduct(objective: objective, relativeStep: 0))
    let vectorLoss = SubsetObjective(subset: ParameterSubset(allOf: mlp)) { try mlp(Variable(mx)) }
    XCTAssertThrowsError(try vectorLoss.evaluate()) { error in
      XCTAssertTrue("\(error)".contains("single value"), "\(error)")
    }
  }
}
