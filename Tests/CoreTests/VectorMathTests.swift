import XCTest

@testable import Core

#if canImport(Glibc)
  import Glibc
#endif

/// The sixteen-lane exp / tanh / sigmoid behind Tensor.exp(), tanh(), sigmoid() and softmax,
/// against libm over their whole useful range.
final class VectorMathTests: XCTestCase {
  func grid(_ lo: Float, _ hi: Float, _ n: Int) -> Tensor {
    Tensor((0..<n).map { lo + (hi - lo) * Float($0) / Float(n - 1) })
  }

  func testExp() {
    let x = grid(-87, 88.5, 20_011)
    let y = x.exp()
    for i in 0..<x.count {
      let want = Float(Foundation.exp(Double(x.storage[i])))
      XCTAssertLessThanOrEqual(abs(y.storage[i] - want), 3e-7 * want, "exp(\(x.storage[i]))")
    }
    let edges = Tensor([-.infinity, -200, 0, 100, .infinity, .nan]).exp()
    XCTAssertEqual(Array(edges.storage[0..<5]), [0, 0, 1, .infinity, .infinity])
    XCTAssertTrue(edges.storage[5].isNaN)
  }

  func testTanhAndSigmoid() {
    let x = grid(-12, 12, 24_017)
    let t = x.tanh()
    let s = x.sigmoid()
    for i in 0..<x.count {
      let v = Double(x.storage[i])
      let tw = Float(Foundation.tanh(v))
      let sw = Float(1 / (1 + Foundation.exp(-v)))
      XCTAssertLessThanOrEqual(abs(t.storage[i] - tw), 2e-7 + 1e-6 * abs(tw), "tanh(\(v))")
      XCTAssertLessThanOrEqual(abs(s.storage[i] - sw), 2e-7 + 1e-6 * sw, "sigmoid(\(v))")
    }
    let tiny = Tensor([1e-30, -1e-20, 0]).tanh()
    XCTAssertEqual(tiny.storage, [1e-30, -1e-20, 0])
    XCTAssertTrue(Tensor([.nan]).tanh().storage[0].isNaN)
  }

  func testSoftmaxRowsSumToOne() throws {
    var rng = RandomGenerator(seed: 3)
    let x = Tensor.normal([7, 37], std: 10, rng: &rng)
    let p = try Variable(x).softmax(axis: 1).value
    for r in try p.sum(axes: [1]).storage { XCTAssertEqual(r, 1, accuracy: 1e-5) }
    let lp = try Variable(x).logSoftmax(axis: 1).value
    for i in 0..<x.count { XCTAssertEqual(Foundation.exp(lp.storage[i]), p.storage[i], accuracy: 1e-6) }
  }
}
