import XCTest

@testable import Core

/// The fused relu(batchNorm(x) + residual) primitive against the composition of its parts and
/// against finite differences.
final class BatchNormFusionTests: XCTestCase {
  typealias G = GradCheck

  /// Values and gradients (x, weight, bias, residual) plus running statistics, fused or not.
  func run(
    fused: Bool, x x0: Tensor, residual r0: Tensor?, relu: Bool, training: Bool, seed: UInt64
  ) throws -> [Tensor] {
    let c = x0.shape[1]
    let x = Variable(x0, requiresGrad: true)
    let w = Variable(G.randn([c], seed: seed), requiresGrad: true)
    let b = Variable(G.randn([c], seed: seed + 1), requiresGrad: true)
    let r = r0.map { Variable($0, requiresGrad: true) }
    var mean = G.randn([c], seed: seed + 2, scale: 0.1)
    var variance = G.positive([c], seed: seed + 3)
    let y: Variable
    if fused {
      y = try Primitives.fusedBatchNorm(
        x, weight: w, bias: b, runningMean: &mean, runningVar: &variance, training: training,
        momentum: 0.1, eps: 1e-5, residual: r, relu: relu)
    } else {
      var z = try Functional.batchNorm(
        x, weight: w, bias: b, runningMean: &mean, runningVar: &variance, training: training,
        momentum: 0.1, eps: 1e-5)
      if let r { z = try z + r }
      y = relu ? z.relu() : z
    }
    try y.backward(G.randn(y.shape, seed: seed + 4))
    return [y.value, x.grad!, w.grad!, b.grad!, mean, variance] + (r.map { [$0.grad!] } ?? [])
  }

  func testFusedBatchNormEqualsComposition() throws {
    for (index, shape) in [[4, 3, 5, 6], [2, 5, 3, 3], [6, 4]].enumerated() {
      let x = G.randn(shape, seed: UInt64(10 + index))
      let r = G.randn(shape, seed: UInt64(20 + index))
      for training in [true, false] {
        for (residual, relu) in [(false, true), (true, true), (true, false)] {
          let seed = UInt64(30 + index)
          let a = try run(fused: true, x: x, residual: residual ? r : nil, relu: relu, training: training, seed: seed)
          let e = try run(fused: false, x: x, residual: residual ? r : nil, relu: relu, training: training, seed: seed)
          XCTAssertEqual(a.count, e.count)
          for (k, (at, et)) in zip(a, e).enumerated() {
            XCTAssertEqual(at.shape, et.shape)
            for i in 0..<at.count {
              XCTAssertEqual(
                at.storage[i], et.storage[i], accuracy: 1e-5 * (1 + abs(et.storage[i])),
                "\(shape) training=\(training) residual=\(residual) relu=\(relu): result \(k)[\(i)]")
            }
          }
        }
      }
    }
  }

  /// Inputs whose pre-activations stay ≥ 0.2 away from ReLU's kink under a 1e-3 step: per
  /// channel x takes ±1, ±2 (so x̂ ∈ ±0.63, ±1.26), weights ±[0.5, 1.5], bias 0.1; the residual
  /// case sets the residual so that the sum is ±[0.5, 1.5].
  func testFusedBatchNormGradientsMatchFiniteDifferences() throws {
    let (n, c, s) = (4, 3, 4)
    var rng = RandomGenerator(seed: 77)
    var xs = [Float](repeating: 0, count: n * c * s)
    for ch in 0..<c {
      var values: [Float] = []
      for _ in 0..<(n * s / 4) { values += [1, -1, 2, -2] }
      let order = rng.permutation(values.count)
      var k = 0
      for b in 0..<n {
        for i in 0..<s {
          xs[(b * c + ch) * s + i] = values[order[k]]
          k += 1
        }
      }
    }
    let x = Tensor(shape: [n, c, 2, 2], storage: xs)
    let w = Tensor(shape: [c], storage: [0.7, -1.2, 1.4])
    let b = Tensor(shape: [c], storage: [0.1, 0.1, 0.1])
    func fused(_ v: [Variable], residual: Bool) throws -> Variable {
      var mean = Tensor.zeros([c])
      var variance = Tensor.ones([c])
      return try Primitives.fusedBatchNorm(
        v[0], weight: v[1], bias: v[2], runningMean: &mean, runningVar: &variance,
        training: true, momentum: 0.1, eps: 1e-5, residual: residual ? v[3] : nil, relu: true)
    }
    try G.check("batchNormReLU", [x, w, b], eps: 1e-3, rtol: 3e-2, atol: 3e-3) {
      try fused($0, residual: false)
    }
    // Residual = target − batchNorm(x), target = ±[0.5, 1.5].
    var mean = Tensor.zeros([c])
    var variance = Tensor.ones([c])
    let plain = try Functional.batchNorm(
      Variable(x), weight: Variable(w), bias: Variable(b), runningMean: &mean,
      runningVar: &variance, training: true, momentum: 0.1, eps: 1e-5
    ).value
    let target = G.randn(x.shape, seed: 5).storage.map { ($0 < 0 ? -1 : 1) * (0.5 + min(abs($0), 1)) }
    let r = Tensor(shape: x.shape, storage: (0..<x.count).map { target[$0] - plain.storage[$0] })
    try G.check("batchNormAddReLU", [x, w, b, r], eps: 1e-3, rtol: 3e-2, atol: 3e-3) {
      try fused($0, residual: true)
    }
  }

  func testResidualShapeMismatchThrows() {
    var mean = Tensor.zeros([3])
    var variance = Tensor.ones([3])
    XCTAssertThrowsError(
      try Primitives.fusedBatchNorm(
        Variable(G.randn([2, 3, 2, 2], seed: 1)), weight: nil, bias: nil, runningMean: &mean,
        runningVar: &variance, training: true, momentum: 0.1, eps: 1e-5,
        residual: Variable(G.randn([2, 3, 2, 1], seed: 2)), relu: true))
  }
}
