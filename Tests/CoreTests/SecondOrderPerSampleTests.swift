import Foundation
import XCTest

@testable import Core

/// Per-sample gradients (batched and one backward per sample) and Fisher matrices, against the
/// NumPy reference and against each other.
final class SecondOrderPerSampleTests: XCTestCase {
  func testLinearSlicesBothWaysMatchNumPy() throws {
    let (mlp, x, t) = try SecondOrderProblems.mlp()
    let subset = try ParameterSubset(
      model: mlp, slices: [ParameterSlice(layer: "fc1", unit: 2), ParameterSlice(layer: "fc1", unit: 0)])
    for strategy in [PerSampleGradients.Strategy.batched, .perSample] {
      let g = try PerSampleGradients.compute(subset: subset, inputs: x, targets: t, chunkSize: 4, force: strategy)
      XCTAssertEqual(g.shape, [6, 10])
      XCTAssertLessThan(
        relativeError(g.storage.map { Double($0) }, SecondOrderReference.mlpPerSampleFc1Units02), 1e-5, "\(strategy)")
    }
    let whole = try ParameterSubset(model: mlp, parameters: ["fc2.weight", "fc2.bias"])
    let g = try PerSampleGradients.compute(subset: whole, inputs: x, targets: t)
    XCTAssertLessThan(relativeError(g.storage.map { Double($0) }, SecondOrderReference.mlpPerSampleFc2), 1e-5)
    // Slices of two Linear layers at once: both ways agree.
    let two = try ParameterSubset(
      model: mlp, slices: [ParameterSlice(layer: "fc2", unit: 0), ParameterSlice(layer: "fc1", unit: 1)])
    let a = try PerSampleGradients.compute(subset: two, inputs: x, targets: t, force: .batched)
    let b = try PerSampleGradients.compute(subset: two, inputs: x, targets: t, force: .perSample)
    XCTAssertEqual(a.shape, [6, 4 + 1 + 5 + 1])
    XCTAssertLessThan(NNTestSupport.relativeError(a, b), 1e-6)
    // Also from inside a region that records no graph.
    XCTAssertEqual(try GradMode.withoutGrad { try PerSampleGradients.compute(subset: whole, inputs: x, targets: t) }, g)
  }

  func testConvChannelPerSampleMatchesNumPy() throws {
    let (conv, x, t) = try SecondOrderProblems.conv()
    let subset = try ParameterSubset(model: conv, slices: [ParameterSlice(layer: "conv", unit: 1)])
    let g = try PerSampleGradients.compute(subset: subset, inputs: x, targets: t)
    XCTAssertLessThan(relativeError(g.storage.map { Double($0) }, SecondOrderReference.convPerSampleChannel1), 1e-5)
    XCTAssertThrowsError(
      try PerSampleGradients.compute(subset: subset, inputs: x, targets: t, force: .batched))
    XCTAssertThrowsError(try PerSampleGradients.compute(subset: subset, inputs: x, targets: [0]))
  }

  func testFisherMatchesNumPy() throws {
    let (mlp, x, t) = try SecondOrderProblems.mlp()
    let subset = try ParameterSubset(
      model: mlp, slices: [ParameterSlice(layer: "fc1", unit: 0), ParameterSlice(layer: "fc1", unit: 2)])
    let g = try PerSampleGradients.compute(subset: subset, inputs: x, targets: t)
    let diagonal = try Fisher.empiricalDiagonal(g)
    XCTAssertLessThan(relativeError(diagonal, SecondOrderReference.mlpEmpiricalFisherDiagonalFc1Units02), 1e-5)
    let full = try Fisher.empirical(g)
    XCTAssertEqual(full.rows, 10)
    XCTAssertEqual(full.asymmetry, 0)
    XCTAssertLessThan(relativeError(full.diagonalElements, diagonal), 1e-12)
    // One off-diagonal element by hand: (1/N) Σ_i g_i[1] g_i[7].
    let byHand = (0..<6).reduce(0.0) { $0 + Double(g.storage[$1 * 10 + 1]) * Double(g.storage[$1 * 10 + 7]) } / 6
    XCTAssertEqual(full[1, 7], byHand, accuracy: 1e-12)
    let model = try Fisher.modelDiagonal(subset: subset, inputs: x)
    XCTAssertLessThan(relativeError(model, SecondOrderReference.mlpModelFisherDiagonalFc1Units02), 1e-5)
  }

  /// The CNN's last layer for 1,000 MNIST-shaped samples, batched: its first 200 rows equal
  /// the per-sample way's and sum to 200 × the mean gradient of those samples. Times are
  /// printed (the test asserts none), with a naive loop of full forward/backward passes.
  func testCNNLastLayerThousandSamples() throws {
    var rng = RandomGenerator(seed: 3)
    let model = try Models.make("cnn", inputShape: [1, 28, 28], classes: 10, seed: 1)
    model.eval()
    let n = 1000
    let m = 200
    let x = Tensor.normal([n, 1, 28, 28], rng: &rng)
    let t = (0..<n).map { $0 % 10 }
    let subset = try ParameterSubset(model: model, parameters: ["fc2.weight", "fc2.bias"])
    var start = Date()
    let batched = try PerSampleGradients.compute(subset: subset, inputs: x, targets: t)
    let batchedTime = Date().timeIntervalSince(start)
    XCTAssertEqual(batched.shape, [n, 1290])
    let head = try batched.sliced(axis: 0, start: 0, end: m)
    let xm = try x.sliced(axis: 0, start: 0, end: m)
    let tm = Array(t[0..<m])
    start = Date()
    let looped = try PerSampleGradients.compute(subset: subset, inputs: xm, targets: tm, force: .perSample)
    let loopTime = Date().timeIntervalSince(start)
    XCTAssertLessThan(NNTestSupport.relativeError(head, looped), 1e-5)
    let mean = try SubsetObjective(subset: subset, loss: SecondOrderProblems.crossEntropy(model, xm, tm)).gradient()
    let sum = try head.sum(axes: [0]).storage.map { Double($0) / Double(m) }
    XCTAssertLessThan(relativeError(sum, mean), 1e-4)
    start = Date()
    for i in 0..<20 {
      let xi = try x.sliced(axis: 0, start: i, end: i + 1)
      _ = try SubsetObjective(subset: subset, loss: SecondOrderProblems.crossEntropy(model, xi, [t[i]])).gradient()
    }
    let naive = Date().timeIntervalSince(start) / 20
    print(String(
      format: "per-sample gradients, CNN fc2 (1290 params): batched %.3f s for 1000 samples; per-sample %.3f s for 200; naive (full forward/backward each) %.4f s per sample",
      batchedTime, loopTime, naive))
  }
}
