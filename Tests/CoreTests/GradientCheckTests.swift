import XCTest

@testable import Core

/// A finite-difference check for every differentiable primitive and composed op.
final class GradientCheckTests: XCTestCase {
  typealias G = GradCheck

  func testArithmeticWithBroadcasting() throws {
    let a = G.randn([3, 4], seed: 1)
    let b = G.randn([4], seed: 2)
    let c = G.positive([3, 1], seed: 3)
    try G.check("add", [a, b]) { try $0[0] + $0[1] }
    try G.check("sub", [a, c]) { try $0[0] - $0[1] }
    try G.check("mul", [a, b]) { try $0[0] * $0[1] }
    try G.check("div", [a, c]) { try $0[0] / $0[1] }
    try G.check("div broadcast lhs", [b, c]) { try $0[0] / $0[1] }
    try G.check("scalar ops", [a]) { (2 - $0[0] * 3 + 1) / 4 }
    try G.check("scalar over", [c]) { 2 / $0[0] }
  }

  func testUnaryMaps() throws {
    let x = G.randn([2, 5], seed: 4)
    let p = G.positive([2, 5], seed: 5)
    try G.check("neg", [x]) { -$0[0] }
    try G.check("exp", [x]) { $0[0].exp() }
    try G.check("log", [p]) { $0[0].log() }
    try G.check("sqrt", [p]) { $0[0].sqrt() }
    try G.check("pow", [p]) { $0[0].pow(2.5) }
    try G.check("relu", [G.awayFromZero([2, 5], seed: 6)]) { $0[0].relu() }
    try G.check("tanh", [x]) { $0[0].tanh() }
    try G.check("sigmoid", [x]) { $0[0].sigmoid() }
  }

  func testReductions() throws {
    let x = G.randn([2, 3, 4], seed: 7)
    try G.check("sum all", [x]) { try $0[0].sum() }
    try G.check("sum axis", [x]) { try $0[0].sum(axes: [1]) }
    try G.check("sum axes keep", [x]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
    try G.check("mean", [x]) { try $0[0].mean(axes: [-1]) }
    let d = G.distinct([2, 3, 4], seed: 8)
    try G.check("max axis", [d]) { try $0[0].max(axes: [1]) }
    try G.check("max axes", [d]) { try $0[0].max(axes: [0, 2], keepDims: true) }
    try G.check("max all", [d]) { try $0[0].max() }
  }

  func testShapes() throws {
    let x = G.randn([2, 3, 4], seed: 9)
    try G.check("reshape", [x]) { try $0[0].reshaped([6, 4]) }
    try G.check("permute", [x]) { try $0[0].permuted([2, 0, 1]) }
    try G.check("transpose", [x]) { try $0[0].transposed() }
    try G.check("broadcast", [G.randn([3, 1], seed: 10)]) { try $0[0].broadcast(to: [2, 3, 4]) }
    try G.check("flatten", [x]) { try $0[0].flattened() }
  }

  func testIndexing() throws {
    let x = G.randn([3, 5], seed: 11)
    try G.check("slice", [x]) { try $0[0].sliced(axis: 1, start: 1, end: 4) }
    try G.check("indexSelect", [x]) { try $0[0].indexSelect(axis: 1, indices: [4, 0, 4, 2]) }
    try G.check("indexSelect rows", [x]) { try $0[0].indexSelect(axis: 0, indices: [2, 2]) }
    try G.check("concat", [x, G.randn([3, 2], seed: 12)]) { try Variable.concat($0, axis: 1) }
  }

  func testMatmul() throws {
    try G.check("matmul 2-D", [G.randn([3, 4], seed: 13), G.randn([4, 5], seed: 14)]) {
      try $0[0].matmul($0[1])
    }
    try G.check("matmul batched", [G.randn([2, 3, 4], seed: 15), G.randn([2, 4, 2], seed: 16)]) {
      try $0[0].matmul($0[1])
    }
    try G.check("matmul shared rhs", [G.randn([2, 3, 4], seed: 17), G.randn([4, 2], seed: 18)]) {
      try $0[0].matmul($0[1])
    }
    try G.check("matmul shared lhs", [G.randn([3, 4], seed: 19), G.randn([2, 4, 2], seed: 20)]) {
      try $0[0].matmul($0[1])
    }
    try G.check(
      "linear", [G.randn([4, 5], seed: 21), G.randn([3, 5], seed: 22), G.randn([3], seed: 23)]
    ) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
  }

  func testConv2d() throws {
    for (stride, padding) in [(1, 1), (2, 0), (2, 1)] {
      try G.check(
        "conv2d s\(stride)p\(padding)",
        [G.randn([2, 3, 6, 5], seed: 24), G.randn([4, 3, 3, 3], seed: 25), G.randn([4], seed: 26)]
      ) { try Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding) }
    }
    try G.check("conv2d 1x1 no bias", [G.randn([2, 3, 4, 4], seed: 27), G.randn([2, 3, 1, 1], seed: 28)]) {
      try Functional.conv2d($0[0], weight: $0[1], bias: nil)
    }
  }

  func testPooling() throws {
    let d = G.distinct([2, 2, 6, 6], seed: 29)
    try G.check("maxPool2d", [d]) { try Functional.maxPool2d($0[0], kernel: 2) }
    try G.check("maxPool2d k3 s2 p1", [d]) {
      try Functional.maxPool2d($0[0], kernel: 3, stride: 2, padding: 1)
    }
    let x = G.randn([2, 2, 5, 5], seed: 30)
    try G.check("avgPool2d", [x]) { try Functional.avgPool2d($0[0], kernel: 2) }
    try G.check("avgPool2d k3 s2 p1", [x]) {
      try Functional.avgPool2d($0[0], kernel: 3, stride: 2, padding: 1)
    }
    try G.check("adaptiveAvgPool1x1", [x]) { try Functional.adaptiveAvgPool1x1($0[0]) }
  }

  func testBatchNorm() throws {
    for training in [true, false] {
      for shape in [[4, 3, 2, 2], [5, 3]] {
        try G.check(
          "batchNorm train=\(training) \(shape)",
          [G.randn(shape, seed: 31), G.positive([3], seed: 32), G.randn([3], seed: 33)]
        ) { v in
          var rm = Tensor.full([3], value: 0.1)
          var rv = Tensor.full([3], value: 1.5)
          return try Functional.batchNorm(
            v[0], weight: v[1], bias: v[2], runningMean: &rm, runningVar: &rv, training: training)
        }
      }
    }
    try G.check("batchNorm no affine", [G.randn([4, 2, 3, 3], seed: 34)]) { v in
      var rm = Tensor.zeros([2])
      var rv = Tensor.ones([2])
      return try Functional.batchNorm(
        v[0], weight: nil, bias: nil, runningMean: &rm, runningVar: &rv, training: true)
    }
  }

  func testDropout() throws {
    try G.check("dropout", [G.randn([4, 6], seed: 35)]) { v in
      var rng = RandomGenerator(seed: 7)
      return try Functional.dropout(v[0], p: 0.3, training: true, rng: &rng)
    }
  }

  func testSoftmaxFamilyAndLosses() throws {
    let x = G.randn([3, 5], seed: 36)
    try G.check("softmax", [x]) { try $0[0].softmax(axis: 1) }
    try G.check("logSoftmax", [x]) { try $0[0].logSoftmax(axis: 1) }
    try G.check("softmax axis 0", [G.randn([3, 2, 2], seed: 37)]) { try $0[0].softmax(axis: 0) }
    try G.check("crossEntropy", [x]) { try Functional.crossEntropy($0[0], targets: [4, 0, 2]) }
    try G.check("klDivLogits", [x, G.randn([3, 5], seed: 38)]) {
      try Functional.klDivLogits(student: $0[0], teacher: $0[1])
    }
    try G.check("klDivBatchMean target", [G.randn([3, 5], seed: 39), G.positive([3, 5], seed: 40)]) {
      try Functional.klDivBatchMean($0[0], target: $0[1])
    }
    try G.check("mse", [x, G.randn([3, 5], seed: 41)]) { try Functional.mse($0[0], $0[1]) }
  }
}
