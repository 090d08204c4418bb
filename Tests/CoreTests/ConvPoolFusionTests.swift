import XCTest

@testable import Core
@testable import LetheKernels

/// The fused convolution + ReLU + max-pool primitive against the unfused composition, finite
/// differences, and inside `Sequential`.
final class ConvPoolFusionTests: XCTestCase {
  typealias G = GradCheck

  /// (input shape, weight shape, conv stride, conv padding, bias, pool kernel, stride, padding):
  /// implicit-GEMM and im2col forward planes, odd convolution outputs (a row and column no
  /// window reads), overlapping padded windows, stride 2, batch 1, multi-sample chunks.
  static let cases: [([Int], [Int], Int, Int, Bool, Int, Int, Int)] = [
    ([2, 3, 9, 9], [4, 3, 3, 3], 1, 0, true, 2, 2, 0),
    ([5, 2, 8, 7], [6, 2, 3, 3], 1, 1, true, 2, 2, 0),
    ([1, 2, 11, 9], [5, 2, 3, 3], 2, 1, false, 2, 2, 0),
    ([3, 1, 10, 10], [7, 1, 3, 3], 1, 1, true, 3, 2, 1),
    ([4, 2, 16, 16], [3, 2, 3, 3], 1, 1, true, 2, 2, 0),
    // Widened direct convolutions whose work items hold several samples each.
    ([9, 2, 10, 12], [4, 2, 3, 3], 1, 0, true, 2, 2, 0),
    ([7, 3, 12, 11], [5, 3, 3, 3], 1, 0, false, 3, 2, 1),
  ]

  static func fused(_ v: [Variable], _ c: ([Int], [Int], Int, Int, Bool, Int, Int, Int)) throws
    -> Variable
  {
    try Primitives.conv2dReLUMaxPool(
      v[0], v[1], v.count > 2 ? v[2] : nil, stride: c.2, padding: c.3, poolKernel: c.5,
      poolStride: c.6, poolPadding: c.7)
  }

  func testFusedConvReLUMaxPoolEqualsTheComposition() throws {
    for (index, c) in Self.cases.enumerated() {
      let seed = UInt64(300 + 5 * index)
      let x0 = G.randn(c.0, seed: seed), w0 = G.randn(c.1, seed: seed + 1)
      let b0 = G.randn([c.1[0]], seed: seed + 2)
      var results: [[Tensor]] = []
      for fused in [true, false] {
        let x = Variable(x0, requiresGrad: true), w = Variable(w0, requiresGrad: true)
        let b = c.4 ? Variable(b0, requiresGrad: true) : nil
        let y = fused
          ? try Self.fused([x, w] + (b.map { [$0] } ?? []), c)
          : try Functional.maxPool2d(
            Functional.conv2d(x, weight: w, bias: b, stride: c.2, padding: c.3).relu(),
            kernel: c.5, stride: c.6, padding: c.7)
        let upstream = G.randn(y.shape, seed: seed + 7)
        try y.backward(upstream)
        results.append([y.value, x.grad!, w.grad!] + (b.map { [$0.grad!] } ?? []))
      }
      for (name, (a, e)) in zip(["y", "dx", "dw", "db"], zip(results[0], results[1])) {
        XCTAssertEqual(a.shape, e.shape, "\(name) for case \(index)")
        for i in 0..<a.count {
          XCTAssertEqual(
            a.storage[i], e.storage[i], accuracy: 1e-5 * (1 + abs(e.storage[i])),
            "\(name)[\(i)] for case \(index)")
        }
      }
    }
  }

  func testFusedConvReLUMaxPoolGradientsMatchFiniteDifferences() throws {
    // Gaussian inputs: no ties inside a window and no pre-activation within a step of 0
    // (fixed seeds, so this holds run after run).
    for (index, c) in Self.cases.enumerated() where c.0[0] <= 3 {
      let seed = UInt64(400 + 5 * index)
      let inputs = [G.randn(c.0, seed: seed), G.randn(c.1, seed: seed + 1)]
        + (c.4 ? [G.randn([c.1[0]], seed: seed + 2)] : [])
      try G.check("conv2dReLUMaxPool case \(index)", inputs, eps: 1e-3, rtol: 3e-2, atol: 3e-3) {
        try Self.fused($0, c)
      }
    }
  }

  func testSequentialFusesConvReLUMaxPoolWithoutChangingResults() throws {
    let x0 = G.randn([3, 2, 11, 10], seed: 12)
    var outputs: [Tensor] = [], grads: [Tensor] = []
    // The same network built twice (same seed), with and without the pooling fusion.
    for fuse in [true, false] {
      var rng = RandomGenerator(seed: 11)
      var policy = ConvPolicy.current
      policy.fusePooling = fuse
      let conv = try Conv2d(2, 6, kernelSize: 3, policy: policy, rng: &rng)
      let relu = ReLU()
      let pool = try MaxPool2d(kernelSize: 2)
      let net = try Sequential(named: [("conv", conv), ("relu", relu), ("pool", pool), ("flat", Flatten())])
      let x = Variable(x0, requiresGrad: true)
      let y = try net(x)
      try y.backward(G.randn(y.shape, seed: 13))
      outputs.append(y.value)
      grads += [x.grad!, conv.weight.grad!]
      XCTAssertEqual(conv.lastOutputShape, [3, 6, 9, 8])
      XCTAssertEqual(relu.lastOutputShape, [3, 6, 9, 8])
      XCTAssertEqual(pool.lastOutputShape, [3, 6, 4, 4])
    }
    XCTAssertEqual(outputs[0].shape, [3, 6 * 4 * 4])
    for (a, e) in [(outputs[0], outputs[1]), (grads[0], grads[2]), (grads[1], grads[3])] {
      XCTAssertEqual(a.shape, e.shape)
      for i in 0..<a.count {
        XCTAssertEqual(a.storage[i], e.storage[i], accuracy: 1e-5 * (1 + abs(e.storage[i])))
      }
    }
  }

  func testBadShapesThrowForTheFusedPrimitive() {
    let x = Variable(G.randn([1, 2, 5, 5], seed: 1))
    let w = Variable(G.randn([3, 2, 3, 3], seed: 2))
    // Pooling window larger than the 3×3 convolution output, and a bad padding.
    XCTAssertThrowsError(
      try Primitives.conv2dReLUMaxPool(
        x, w, nil, stride: 1, padding: 0, poolKernel: 4, poolStride: 4, poolPadding: 0))
    XCTAssertThrowsError(
      try Primitives.conv2dReLUMaxPool(
        x, w, nil, stride: 1, padding: 0, poolKernel: 2, poolStride: 2, poolPadding: 2))
    let wrong = Variable(G.randn([3, 4, 3, 3], seed: 3))
    XCTAssertThrowsError(
      try Primitives.conv2dReLUMaxPool(
        x, wrong, nil, stride: 1, padding: 0, poolKernel: 2, poolStride: 2, poolPadding: 0))
  }
}
