import XCTest

@testable import Core

/// Optimisers update parameters with value semantics: a tensor that shares the parameter's
/// storage (a copy taken before the step, or one saved by a still-living graph) keeps the old
/// values, and the parameter gets the new ones.
final class OptimizerStorageTests: XCTestCase {
  func testSGDStepLeavesSharedCopiesUntouched() throws {
    let w = Variable(Tensor([1, 2, 3, 4]), requiresGrad: true)
    let x = Variable(try Tensor([[1, 1, 1, 1]]))
    // The graph keeps x for the weight's gradient; `before` shares w's storage.
    let loss = try Functional.linear(x, weight: try w.reshaped([1, 4]), bias: nil).sum()
    let before = w.value
    try loss.backward()
    let sgd = try SGD(parameters: [w], learningRate: 0.5, momentum: 0.9)
    try sgd.step()
    XCTAssertEqual(before.storage, [1, 2, 3, 4])
    XCTAssertEqual(w.value.storage, [0.5, 1.5, 2.5, 3.5])
    XCTAssertEqual(w.value.shape, [4])
    try sgd.step()  // momentum: buffer 1.9 per element
    for (got, want) in zip(w.value.storage, [Float(-0.45), 0.55, 1.55, 2.55]) {
      XCTAssertEqual(got, want, accuracy: 1e-6)
    }
  }

  /// `linear` keeps the weight only when the input's gradient is wanted, so a first layer's
  /// weight is not held by the graph (and the gradients are unchanged either way).
  func testLinearGradientsWithAndWithoutInputGradient() throws {
    let w = Variable(try Tensor([[1, 2], [3, 4], [5, 6]]), requiresGrad: true)
    let b = Variable(Tensor([0.5, -0.5, 1]), requiresGrad: true)
    for inputNeedsGrad in [false, true] {
      w.zeroGrad()
      b.zeroGrad()
      let x = Variable(try Tensor([[1, -1], [2, 0.5]]), requiresGrad: inputNeedsGrad)
      let y = try Functional.linear(x, weight: w, bias: b)
      try (y * y).sum().backward()
      // y = x·Wᵀ + b; dL/dy = 2y; dW = (2y)ᵀ·x; db = Σ 2y; dx = 2y·W.
      let yv = y.value.storage
      let g = yv.map { 2 * $0 }
      let xv: [Float] = [1, -1, 2, 0.5]
      var dw = [Float](repeating: 0, count: 6)
      for o in 0..<3 { for i in 0..<2 { dw[o * 2 + i] = g[o] * xv[i] + g[3 + o] * xv[2 + i] } }
      XCTAssertEqual(w.grad?.storage, dw)
      XCTAssertEqual(b.grad?.storage, (0..<3).map { g[$0] + g[3 + $0] })
      if inputNeedsGrad {
        let wv: [Float] = [1, 2, 3, 4, 5, 6]
        var dx = [Float](repeating: 0, count: 4)
        for r in 0..<2 {
          for i in 0..<2 {
            for o in 0..<3 { dx[r * 2 + i] += g[r * 3 + o] * wv[o * 2 + i] }
          }
        }
        XCTAssertEqual(x.grad?.storage, dx)
      } else {
        XCTAssertNil(x.grad)
      }
    }
  }
}
