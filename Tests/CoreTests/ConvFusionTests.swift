import XCTest

@testable import Core
@testable import LetheKernels

/// The fused convolution + ReLU primitive, and the convolution's implicit-GEMM and im2col
/// forward paths, against the unfused composition and finite differences.
final class ConvFusionTests: XCTestCase {
  typealias G = GradCheck

  /// (input shape, weight shape, stride, padding, bias): planes of fewer and of more than 48
  /// positions (im2col and implicit-GEMM forward), stride 2, batch 1, no bias.
  static let cases: [([Int], [Int], Int, Int, Bool)] = [
    ([2, 3, 6, 5], [4, 3, 3, 3], 1, 1, true),
    ([1, 2, 9, 11], [5, 2, 3, 3], 2, 1, true),
    ([2, 2, 7, 12], [13, 2, 3, 3], 1, 0, false),
    ([3, 1, 10, 9], [6, 1, 3, 3], 1, 1, true),
  ]

  /// Integers in −2...2 (plus `offset`): with integer inputs and weights and half-integer
  /// biases every pre-activation is at least 0.5 away from ReLU's kink, farther than any
  /// finite-difference step moves it.
  static func grid(_ shape: [Int], seed: UInt64, offset: Float = 0) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = Tensor.count(of: shape)
    return Tensor(shape: shape, storage: (0..<n).map { _ in Float(rng.next() % 5) - 2 + offset })
  }

  func testFusedConvReLUGradientsMatchFiniteDifferences() throws {
    for (index, (xs, ws, stride, padding, _)) in Self.cases.enumerated() {
      let seed = UInt64(100 + 3 * index)
      let inputs = [
        Self.grid(xs, seed: seed), Self.grid(ws, seed: seed + 1),
        Self.grid([ws[0]], seed: seed + 2, offset: 0.5),
      ]
      try G.check("conv2dReLU \(xs) \(ws) s\(stride)p\(padding)", inputs, eps: 1e-2) {
        try Primitives.conv2dReLU($0[0], $0[1], $0[2], stride: stride, padding: padding)
      }
    }
  }

  func testFusedConvReLUEqualsConvThenReLU() throws {
    for (index, (xs, ws, stride, padding, bias)) in Self.cases.enumerated() {
      let seed = UInt64(200 + 3 * index)
      let x0 = G.randn(xs, seed: seed), w0 = G.randn(ws, seed: seed + 1)
      let b0 = G.randn([ws[0]], seed: seed + 2)
      var results: [[Tensor]] = []
      for fused in [true, false] {
        let x = Variable(x0, requiresGrad: true), w = Variable(w0, requiresGrad: true)
        let b = bias ? Variable(b0, requiresGrad: true) : nil
        let y = fused
          ? try Primitives.conv2dReLU(x, w, b, stride: stride, padding: padding)
          : try Functional.conv2d(x, weight: w, bias: b, stride: stride, padding: padding).relu()
        let upstream = G.randn(y.shape, seed: seed + 7)
        try y.backward(upstream)
        results.append([y.value, x.grad!, w.grad!] + (b.map { [$0.grad!] } ?? []))
      }
      for (name, (a, e)) in zip(["y", "dx", "dw", "db"], zip(results[0], results[1])) {
        XCTAssertEqual(a.shape, e.shape)
        for i in 0..<a.count {
          XCTAssertEqual(
            a.storage[i], e.storage[i], accuracy: 1e-5 * (1 + abs(e.storage[i])),
            "\(name)[\(i)] for \(xs) \(ws)")
        }
      }
    }
  }

  func testSequentialFusesConvAndReLUWithoutChangingResults() throws {
    var rng = RandomGenerator(seed: 5)
    let conv = try Conv2d(2, 8, kernelSize: 3, padding: 1, rng: &rng)
    let relu = ReLU()
    let net = try Sequential(named: [("conv", conv), ("relu", relu), ("flat", Flatten())])
    let x = Variable(G.randn([2, 2, 9, 9], seed: 6))
    let fused = try net(x)
    let plain = try Flatten()(Functional.conv2d(x, weight: conv.weight, bias: conv.bias, padding: 1).relu())
    XCTAssertEqual(fused.shape, plain.shape)
    for i in 0..<fused.value.count {
      XCTAssertEqual(fused.value.storage[i], plain.value.storage[i], accuracy: 1e-5)
    }
    XCTAssertEqual(conv.lastOutputShape, [2, 8, 9, 9])
    XCTAssertEqual(relu.lastOutputShape, [2, 8, 9, 9])
  }

  func testImplicitAndIm2colForwardAgreeInsideAModel() throws {
    // The same layer built twice (same seed), under the process's policy and under im2col.
    let layer = { (policy: ConvPolicy) throws -> Conv2d in
      var rng = RandomGenerator(seed: 8)
      return try Conv2d(3, 16, kernelSize: 3, stride: 1, padding: 1, policy: policy, rng: &rng)
    }
    let x = Variable(G.randn([2, 3, 12, 12], seed: 9))
    let implicit = try layer(.current)(x)
    let im2col = try layer(ConvPolicy.current.applying("im2col").policy)(x)
    for i in 0..<implicit.value.count {
      XCTAssertEqual(implicit.value.storage[i], im2col.value.storage[i], accuracy: 1e-5)
    }
  }

  func testBadShapesThrowForTheFusedPrimitive() {
    let x = Variable(G.randn([1, 2, 5, 5], seed: 1))
    let w = Variable(G.randn([3, 4, 3, 3], seed: 2))
    XCTAssertThrowsError(try Primitives.conv2dReLU(x, w, nil, stride: 1, padding: 0))
  }
}
