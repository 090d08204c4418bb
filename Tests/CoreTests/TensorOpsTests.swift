import XCTest

@testable import Core

/// Forward values of tensor operations against hand-computed results, and their errors.
final class TensorOpsTests: XCTestCase {
  func t(_ v: [Float], _ s: [Int]) -> Tensor { Tensor(shape: s, storage: v) }

  func testCreation() throws {
    XCTAssertEqual(Tensor.zeros([2, 3]).storage, [Float](repeating: 0, count: 6))
    XCTAssertEqual(Tensor.full([2], value: 7).storage, [7, 7])
    XCTAssertEqual(Tensor.arange(4).storage, [0, 1, 2, 3])
    XCTAssertEqual(try Tensor.arange(start: 1, end: 2, step: 0.25).storage, [1, 1.25, 1.5, 1.75])
    XCTAssertThrowsError(try Tensor.arange(start: 0, end: 1, step: 0))
    XCTAssertEqual(try Tensor([[1, 2], [3, 4]]).shape, [2, 2])
    XCTAssertThrowsError(try Tensor([[1, 2], [3]]))
    var r1 = RandomGenerator(seed: 5)
    var r2 = RandomGenerator(seed: 5)
    XCTAssertEqual(Tensor.normal([10], rng: &r1), Tensor.normal([10], rng: &r2))
    let u = Tensor.uniform([1000], low: -2, high: 3, rng: &r1)
    XCTAssertTrue(u.storage.allSatisfy { $0 >= -2 && $0 < 3 })
    let n = Tensor.normal([20000], mean: 1, std: 2, rng: &r1)
    XCTAssertEqual(n.meanAll, 1, accuracy: 0.05)
    XCTAssertEqual(try n.variance().scalar, 4, accuracy: 0.15)
  }

  func testBroadcastingArithmetic() throws {
    let a = t([1, 2, 3, 4, 5, 6], [2, 3])
    let b = t([10, 20, 30], [3])
    let c = t([100, 200], [2, 1])
    XCTAssertEqual(try (a + b).storage, [11, 22, 33, 14, 25, 36])
    XCTAssertEqual(try (a * c).storage, [100, 200, 300, 800, 1000, 1200])
    XCTAssertEqual(try (b - c).shape, [2, 3])
    XCTAssertEqual(try (b - c).storage, [-90, -80, -70, -190, -180, -170])
    XCTAssertEqual(try (a / Tensor(scalar: 2)).storage, [0.5, 1, 1.5, 2, 2.5, 3])
    XCTAssertEqual((10 - a).storage, [9, 8, 7, 6, 5, 4])
    XCTAssertEqual(try a.greater(t([2, 2, 2], [3])).storage, [0, 0, 1, 1, 1, 1])
    XCTAssertEqual(a.clamped(min: 2, max: 4).storage, [2, 2, 3, 4, 4, 4])
    XCTAssertEqual(t([-1, 2], [2]).relu().storage, [0, 2])
    XCTAssertEqual(t([4], [1]).pow(1.5).storage[0], 8, accuracy: 1e-5)
    // A strided broadcast in the middle axis.
    let x = Tensor.arange(12)
    let x3 = try x.reshaped([2, 3, 2])
    let m = t([1, 0, -1], [1, 3, 1])
    XCTAssertEqual(try (x3 * m).storage, [0, 1, 0, 0, -4, -5, 6, 7, 0, 0, -10, -11])
    XCTAssertThrowsError(try a + t([1, 2], [2])) { err in
      XCTAssertTrue("\(err)".contains("[2, 3]"), "\(err)")
    }
  }

  func testReductions() throws {
    let a = try Tensor.arange(24).reshaped([2, 3, 4])
    XCTAssertEqual(try a.sum().scalar, 276)
    XCTAssertEqual(try a.sum(axes: [1]).storage, [12, 15, 18, 21, 48, 51, 54, 57])
    XCTAssertEqual(try a.sum(axes: [0, 2], keepDims: true).shape, [1, 3, 1])
    XCTAssertEqual(try a.sum(axes: [0, 2]).storage, [60, 92, 124])
    XCTAssertEqual(try a.mean(axes: [-1]).storage, [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
    XCTAssertEqual(try a.max(axes: [1]).storage, [8, 9, 10, 11, 20, 21, 22, 23])
    XCTAssertEqual(try a.min(axes: [0, 2]).storage, [0, 4, 8])
    let b = t([3, 9, 9, 1, 0, 2], [2, 3])
    XCTAssertEqual(try b.argmaxIndices(axis: 1), [1, 2])
    XCTAssertEqual(try b.argmax(axis: 0).storage, [0, 0, 0])
    XCTAssertEqual(try t([1, 2, 3, 4], [4]).variance(unbiased: true).scalar, 5.0 / 3, accuracy: 1e-6)
    XCTAssertEqual(try t([1, 2, 3, 4], [4]).variance().scalar, 1.25, accuracy: 1e-6)
    XCTAssertThrowsError(try a.sum(axes: [3]))
    XCTAssertThrowsError(try a.sum(axes: [1, 1]))
    XCTAssertThrowsError(try Tensor.zeros([0, 2]).max(axes: [0]))
  }

  func testShapesAndIndexing() throws {
    let a = try Tensor.arange(6).reshaped([2, 3])
    XCTAssertEqual(try a.transposed().storage, [0, 3, 1, 4, 2, 5])
    let b = try Tensor.arange(24).reshaped([2, 3, 4])
    let p = try b.permuted([2, 0, 1])
    XCTAssertEqual(p.shape, [4, 2, 3])
    XCTAssertEqual(p.storage[0..<6], [0, 4, 8, 12, 16, 20])
    XCTAssertEqual(try a.sliced(axis: 1, start: 1, end: 3).storage, [1, 2, 4, 5])
    XCTAssertEqual(try a.indexSelect(axis: 0, indices: [1, 1, 0]).storage, [3, 4, 5, 3, 4, 5, 0, 1, 2])
    XCTAssertEqual(try Tensor.concat([a, a], axis: 1).storage, [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
    XCTAssertEqual(try Tensor.stack([a, a], axis: 1).shape, [2, 2, 3])
    XCTAssertEqual(try a.unsqueezed(axis: -1).shape, [2, 3, 1])
    XCTAssertEqual(try b.flattened().shape, [2, 12])
    XCTAssertThrowsError(try a.sliced(axis: 1, start: 2, end: 4))
    XCTAssertThrowsError(try a.indexSelect(axis: 1, indices: [3]))
    XCTAssertThrowsError(try a.permuted([0, 0]))
    XCTAssertThrowsError(try Tensor.concat([a, b], axis: 0))
    XCTAssertThrowsError(try Tensor.stack([a, b]))
    XCTAssertThrowsError(try a.reshaped([4, 2]))
    XCTAssertThrowsError(try a.squeezed(axis: 0))
  }

  func testMatmul() throws {
    let a = try Tensor.arange(6).reshaped([2, 3])
    let b = try Tensor.arange(12).reshaped([3, 4])
    XCTAssertEqual(try a.matmul(b).storage, [20, 23, 26, 29, 56, 68, 80, 92])
    let ab = try Tensor.stack([a, a * 2])
    let r = try ab.matmul(b)
    XCTAssertEqual(r.shape, [2, 2, 4])
    XCTAssertEqual(Array(r.storage[8..<12]), [40, 46, 52, 58])
    let bb = try Tensor.stack([b, b])
    XCTAssertEqual(try ab.matmul(bb), r)
    XCTAssertThrowsError(try a.matmul(a)) { XCTAssertTrue("\($0)".contains("[2, 3]")) }
    XCTAssertThrowsError(try Tensor.arange(3).matmul(b))
    XCTAssertThrowsError(try ab.matmul(Tensor.zeros([3, 3, 4])))
  }

  /// Sizes above the kernels' parallel thresholds, against element-by-element references.
  func testLargeTensorsTakeTheParallelPaths() throws {
    var rng = RandomGenerator(seed: 12)
    let x = Tensor.normal([3, 1 << 18], rng: &rng)
    let y = Tensor.normal([3, 1 << 18], rng: &rng)
    let r = x.relu()
    let s = try x * y
    let a = x * 2 + 1
    for i in stride(from: 0, to: x.count, by: 997) {
      XCTAssertEqual(r.storage[i], max(x.storage[i], 0))
      XCTAssertEqual(s.storage[i], x.storage[i] * y.storage[i])
      XCTAssertEqual(a.storage[i], x.storage[i] * 2 + 1)
    }
    let v = Variable(try x.reshaped([8, 3, 128, 256]), requiresGrad: true)
    var rm = Tensor.zeros([3])
    var rv = Tensor.ones([3])
    let out = try Functional.batchNorm(
      v, weight: nil, bias: nil, runningMean: &rm, runningVar: &rv, training: true, momentum: 1)
    let mean = try v.value.mean(axes: [0, 2, 3])
    let variance = try v.value.variance(axes: [0, 2, 3], unbiased: true)
    for c in 0..<3 {
      XCTAssertEqual(rm.storage[c], mean.storage[c], accuracy: 1e-4)
      XCTAssertEqual(rv.storage[c], variance.storage[c], accuracy: 1e-3)
    }
    XCTAssertEqual(try out.value.mean(axes: [0, 2, 3]).storage.map { abs($0) }.max()!, 0, accuracy: 1e-4)
    try out.sum().backward()
    // The normalised output's sum does not depend on x: its gradient vanishes.
    XCTAssertLessThan(v.grad!.storage.map { abs($0) }.max()!, 1e-3)
  }
}
