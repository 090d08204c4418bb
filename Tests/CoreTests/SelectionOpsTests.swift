import XCTest

@testable import Core

/// |x|, clamp, maximum/minimum, where, sign, isfinite, variance/std, norms, the differentiable
/// minimum and gradient clipping: finite-difference gradient checks, and values (and gradients)
/// against PyTorch's, written as literals from PyTorch's documented semantics (derivatives.yaml:
/// abs → sgn, clamp → mask inclusive of the bounds, maximum/minimum → half the gradient each on a
/// tie, norm → 0 at 0; var/std → unbiased by default; clip_grad_norm_ → max_norm/(total+1e-6)).
final class SelectionOpsTests: XCTestCase {
  typealias G = GradCheck

  func testGradientsAgreeWithFiniteDifferences() throws {
    let x = G.awayFromZero([3, 4], seed: 31, gap: 0.2)
    try G.check("abs", [x]) { $0[0].abs() }
    // Elements at least 0.1 from the bounds ±0.5, so no probe crosses a kink.
    var inside = G.randn([3, 4], seed: 32)
    for i in 0..<inside.count where Swift.abs(Swift.abs(inside.storage[i]) - 0.5) < 0.1 { inside.storage[i] += 0.25 }
    try G.check("clamp", [inside]) { try $0[0].clamped(min: -0.5, max: 0.5) }
    try G.check("clamp below only", [inside]) { try $0[0].clamped(min: -0.5) }
    let a = G.distinct([3, 4], seed: 33), b = G.distinct([4], seed: 34)
    try G.check("maximum broadcast", [a, b]) { try $0[0].maximum($0[1]) }
    try G.check("minimum broadcast", [a, b]) { try $0[0].minimum($0[1]) }
    let mask = Tensor(shape: [3, 1], storage: [1, 0, 1])
    try G.check("where", [G.randn([3, 4], seed: 35), G.randn([4], seed: 36)]) {
      try Variable.where(mask, $0[0], $0[1])
    }
    let y = G.randn([2, 3, 4], seed: 37)
    try G.check("variance axis", [y]) { try $0[0].variance(axes: [1]) }
    try G.check("variance biased keep", [y]) { try $0[0].variance(axes: [0, 2], keepDims: true, unbiased: false) }
    try G.check("std all", [y]) { try $0[0].standardDeviation() }
    try G.check("norm 2", [y]) { try $0[0].norm() }
    try G.check("norm 1", [G.awayFromZero([5], seed: 38)]) { try $0[0].norm(p: 1) }
    try G.check("norm 3", [G.awayFromZero([5], seed: 39)]) { try $0[0].norm(p: 3) }
    try G.check("norm inf", [G.distinct([5], seed: 40)]) { try $0[0].norm(p: .infinity) }
    try G.check("min axis", [G.distinct([3, 4], seed: 41)]) { try $0[0].min(axes: [1]) }
  }

  /// Values and gradients of Σ op(inputs), as PyTorch gives them.
  private func valueAndGradients(_ inputs: [Tensor], _ f: ([Variable]) throws -> Variable) throws
    -> ([Float], [[Float]])
  {
    let vars = inputs.map { Variable($0, requiresGrad: true) }
    let out = try f(vars)
    try out.sum().backward()
    return (out.value.storage, vars.map { $0.grad?.storage ?? [] })
  }

  func testValuesAndGradientsMatchPyTorch() throws {
    let x = Tensor([-2, -0.5, 0, 0.5, 2])
    var (v, g) = try valueAndGradients([x]) { $0[0].abs() }
    XCTAssertEqual(v, [2, 0.5, 0, 0.5, 2])
    XCTAssertEqual(g[0], [-1, -1, 0, 1, 1])  // sgn(0) = 0

    (v, g) = try valueAndGradients([Tensor([-2, -1, 0, 1, 2])]) { try $0[0].clamped(min: -1, max: 1) }
    XCTAssertEqual(v, [-1, -1, 0, 1, 1])
    XCTAssertEqual(g[0], [0, 1, 1, 1, 0])  // the bounds themselves pass the gradient

    (v, g) = try valueAndGradients([Tensor([1, 2, 3]), Tensor([3, 2, 1])]) { try $0[0].maximum($0[1]) }
    XCTAssertEqual(v, [3, 2, 3])
    XCTAssertEqual(g[0], [0, 0.5, 1])
    XCTAssertEqual(g[1], [1, 0.5, 0])
    (v, g) = try valueAndGradients([Tensor([1, 2, 3]), Tensor([3, 2, 1])]) { try $0[0].minimum($0[1]) }
    XCTAssertEqual(v, [1, 2, 1])
    XCTAssertEqual(g[0], [1, 0.5, 0])
    XCTAssertEqual(g[1], [0, 0.5, 1])

    (v, g) = try valueAndGradients([Tensor([1, 2, 3]), Tensor([10, 20, 30])]) {
      try Variable.where(Tensor([1, 0, 1]), $0[0], $0[1])
    }
    XCTAssertEqual(v, [1, 20, 3])
    XCTAssertEqual(g[0], [1, 0, 1])
    XCTAssertEqual(g[1], [0, 1, 0])
    let broadcast = try Tensor.where(
      Tensor(shape: [2, 1], storage: [1, 0]), Tensor([1, 2, 3]), Tensor(scalar: 7))
    XCTAssertEqual(broadcast.shape, [2, 3])
    XCTAssertEqual(broadcast.storage, [1, 2, 3, 7, 7, 7])

    let s = Tensor([-2, 0, 3, .nan, -.infinity]).sign()
    XCTAssertEqual(Array(s.storage[0..<3]), [-1, 0, 1])
    XCTAssertTrue(s.storage[3].isNaN)
    XCTAssertEqual(s.storage[4], -1)
    XCTAssertEqual(Tensor([1, .infinity, -.infinity, .nan, 0]).isFinite().storage, [1, 0, 0, 0, 1])
    XCTAssertFalse(Tensor([1, .nan]).isAllFinite)
    XCTAssertTrue(Tensor([1, 2]).isAllFinite)

    let m = Variable(Tensor(shape: [2, 2], storage: [1, 2, 3, 5]))
    XCTAssertEqual(try m.variance(axes: [0]).value.storage, [2, 4.5])  // torch.var(m, dim=0)
    XCTAssertEqual(try m.variance(axes: [1]).value.storage, [0.5, 2])
    XCTAssertEqual(try Variable(Tensor([1, 2, 3, 4])).variance().value.storage[0], 1.6666666, accuracy: 1e-6)
    XCTAssertEqual(try Variable(Tensor([1, 2, 3, 4])).variance(unbiased: false).value.storage[0], 1.25)
    XCTAssertEqual(
      try Variable(Tensor([1, 2, 3, 4])).standardDeviation().value.storage[0], 1.2909944, accuracy: 1e-6)

    (v, g) = try valueAndGradients([Tensor([3, 4])]) { try $0[0].norm() }
    XCTAssertEqual(v, [5])
    XCTAssertEqual(g[0], [0.6, 0.8])
    (v, g) = try valueAndGradients([Tensor([0, 0])]) { try $0[0].norm() }
    XCTAssertEqual(v, [0])
    XCTAssertEqual(g[0], [0, 0])  // PyTorch's norm backward is 0 at 0, not NaN
    XCTAssertEqual(try Variable(Tensor([3, -4])).norm(p: 1).value.storage, [7])
    XCTAssertEqual(try Variable(Tensor([3, -4])).norm(p: .infinity).value.storage, [4])
    XCTAssertEqual(try Variable(Tensor([3, -4])).norm().value.shape, [])

    (v, g) = try valueAndGradients([Tensor(shape: [2, 2], storage: [1, 5, 4, 2])]) { try $0[0].min(axes: [1]) }
    XCTAssertEqual(v, [1, 2])
    XCTAssertEqual(g[0], [1, 0, 0, 1])
  }

  func testKthSmallestMatchesTorchKthvalue() throws {
    let t = Tensor(shape: [2, 3], storage: [3, -1, .nan, 2, 2, 0])
    // torch.kthvalue(t.flatten(), k): NaN sorts last, ties count once each.
    XCTAssertEqual(try (1...5).map { try t.kthSmallest($0) }, [-1, 0, 2, 2, 3])
    XCTAssertTrue(try t.kthSmallest(6).isNaN)
    XCTAssertThrowsError(try t.kthSmallest(0))
    XCTAssertThrowsError(try t.kthSmallest(7))
  }

  func testClampNaNAndBadBounds() throws {
    XCTAssertThrowsError(try Variable(Tensor([1])).clamped(min: 2, max: 1))
    XCTAssertThrowsError(try Variable(Tensor([1])).norm(p: 0))
    XCTAssertThrowsError(try Tensor.where(Tensor([1, 0]), Tensor([1, 2, 3]), Tensor([1])))
  }

  func testClipGradNormMatchesPyTorch() throws {
    let a = Variable(Tensor([0, 0]), requiresGrad: true)
    let b = Variable(Tensor([0]), requiresGrad: true)
    a.grad = Tensor([3, 4])
    b.grad = Tensor([12])
    // torch.nn.utils.clip_grad_norm_([a, b], 6.5) returns 13 and scales by 6.5 / (13 + 1e-6).
    let total = try Gradients.clipNorm([a, b], maxNorm: 6.5)
    XCTAssertEqual(total, 13, accuracy: 1e-9)
    let c = Float(6.5 / (13 + 1e-6))
    XCTAssertEqual(a.grad!.storage, [3 * c, 4 * c])
    XCTAssertEqual(b.grad!.storage, [12 * c])
    // Below the bound nothing changes.
    XCTAssertEqual(try Gradients.clipNorm([a, b], maxNorm: 100), 6.5, accuracy: 1e-5)
    XCTAssertEqual(b.grad!.storage, [12 * c])
    XCTAssertThrowsError(try Gradients.clipNorm([a], maxNorm: -1))
    b.grad = Tensor([.nan])
    XCTAssertEqual(Gradients.firstNonFinite(in: [a, b]), 1)
    XCTAssertTrue(try Gradients.clipNorm([a, b], maxNorm: 1).isNaN)
  }
}
