import XCTest

@testable import Core

/// Autograd semantics: accumulation, no-grad mode, gradients w.r.t. inputs, shared subgraphs,
/// and the errors of the differentiable API.
final class AutogradTests: XCTestCase {
  func testAccumulationAndZeroGrad() throws {
    let x = Variable(Tensor([1, 2, 3]), requiresGrad: true)
    let y = try (x * x).sum()
    try y.backward()
    XCTAssertEqual(x.grad?.storage, [2, 4, 6])
    try (x * 3).sum().backward()
    XCTAssertEqual(x.grad?.storage, [5, 7, 9])
    x.zeroGrad()
    XCTAssertNil(x.grad)
  }

  func testSharedSubgraphAndInputGradient() throws {
    // z = (a·b) + (a·b)² through one shared node: dz/da = b(1 + 2ab).
    let a = Variable(Tensor([2]), requiresGrad: true)
    let b = Variable(Tensor([3]), requiresGrad: true)
    let ab = try a * b
    ab.retainGrad()
    let z = try (ab + ab * ab).sum()
    try z.backward()
    XCTAssertEqual(a.grad?.storage, [39])
    XCTAssertEqual(b.grad?.storage, [26])
    XCTAssertEqual(ab.grad?.storage, [13])
  }

  func testNoGradMode() throws {
    let w = Variable(Tensor([1, 2]), requiresGrad: true)
    let y = try GradMode.withoutGrad { try (w * w).sum() }
    XCTAssertFalse(y.requiresGrad)
    XCTAssertNil(y.creator)
    XCTAssertTrue(GradMode.isEnabled)
    XCTAssertThrowsError(try y.backward())
    let inner = GradMode.withoutGrad { GradMode.withGrad { GradMode.isEnabled } }
    XCTAssertTrue(inner)
  }

  func testConstantsGetNoGradient() throws {
    let w = Variable(Tensor([1, 2]), requiresGrad: true)
    let c = Variable(Tensor([5, 5]))
    try (w * c).sum().backward()
    XCTAssertNil(c.grad)
    XCTAssertEqual(w.grad?.storage, [5, 5])
    XCTAssertNil(w.detached().creator)
  }

  func testBackwardErrors() throws {
    let w = Variable(Tensor([1, 2]), requiresGrad: true)
    let y = w * 2
    XCTAssertThrowsError(try y.backward())  // not a scalar, no seed
    XCTAssertThrowsError(try y.backward(Tensor([1, 2, 3])))
    XCTAssertNoThrow(try y.backward(Tensor([1, 1])))
  }

  func testDeepChainDoesNotRecurse() throws {
    let x = Variable(Tensor([1]), requiresGrad: true)
    var y = x
    for _ in 0..<20_000 { y = y * 1 }
    try y.sum().backward()
    XCTAssertEqual(x.grad?.storage, [1])
  }

  func testFunctionalShapeErrors() throws {
    let x = Variable(Tensor.zeros([2, 3, 5, 5]))
    let w = Variable(Tensor.zeros([4, 2, 3, 3]))
    XCTAssertThrowsError(try Functional.conv2d(x, weight: w, bias: nil)) {
      XCTAssertTrue("\($0)".contains("channels"), "\($0)")
    }
    XCTAssertThrowsError(
      try Functional.conv2d(x, weight: Variable(Tensor.zeros([4, 3, 7, 7])), bias: nil))
    XCTAssertThrowsError(
      try Functional.conv2d(
        x, weight: Variable(Tensor.zeros([4, 3, 3, 3])), bias: Variable(Tensor.zeros([3]))))
    XCTAssertThrowsError(try Functional.maxPool2d(Variable(Tensor.zeros([2, 3])), kernel: 2))
    XCTAssertThrowsError(try Functional.maxPool2d(x, kernel: 6))
    XCTAssertThrowsError(try Functional.avgPool2d(x, kernel: 2, padding: 2))
    XCTAssertThrowsError(
      try Functional.linear(Variable(Tensor.zeros([2, 3])), weight: Variable(Tensor.zeros([4, 2])), bias: nil))
    XCTAssertThrowsError(try Functional.crossEntropy(Variable(Tensor.zeros([2, 3])), targets: [0]))
    XCTAssertThrowsError(try Functional.crossEntropy(Variable(Tensor.zeros([2, 3])), targets: [0, 3]))
    XCTAssertThrowsError(try Functional.mse(Variable(Tensor.zeros([2])), Variable(Tensor.zeros([3]))))
    var rm = Tensor.zeros([3])
    var rv = Tensor.ones([3])
    XCTAssertThrowsError(
      try Functional.batchNorm(
        Variable(Tensor.zeros([1, 3])), weight: nil, bias: nil, runningMean: &rm, runningVar: &rv,
        training: true))
    XCTAssertThrowsError(
      try Functional.batchNorm(
        Variable(Tensor.zeros([2, 4])), weight: nil, bias: nil, runningMean: &rm, runningVar: &rv,
        training: true))
    var rng = RandomGenerator(seed: 1)
    XCTAssertThrowsError(try Functional.dropout(x, p: 1.5, training: true, rng: &rng))
    XCTAssertThrowsError(try Variable(Tensor.zeros([2, 3])) + Variable(Tensor.zeros([2])))
  }

  func testDropoutSeededAndScaled() throws {
    let x = Variable(Tensor.ones([10_000]))
    var r1 = RandomGenerator(seed: 3)
    var r2 = RandomGenerator(seed: 3)
    let a = try Functional.dropout(x, p: 0.25, training: true, rng: &r1)
    let b = try Functional.dropout(x, p: 0.25, training: true, rng: &r2)
    XCTAssertEqual(a.value, b.value)
    XCTAssertTrue(a.value.storage.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3) < 1e-6 })
    let kept = a.value.storage.filter { $0 != 0 }.count
    XCTAssertEqual(Double(kept) / 10_000, 0.75, accuracy: 0.02)
    XCTAssertTrue(try Functional.dropout(x, p: 0.5, training: false, rng: &r1) === x)
  }
}
