import XCTest

@testable import Core

/// What Lua's inspection bindings call: norms, element and row access, per-tensor statistics,
/// printed tensors, and the memory a graph keeps alive.
final class TensorInspectionTests: XCTestCase {
  func testNormAccumulatesInDouble() {
    let t = Tensor(shape: [2, 2], storage: [3, 4, 0, 0])
    XCTAssertEqual(t.squaredNorm, 25)
    XCTAssertEqual(t.norm, 5)
    XCTAssertEqual(Tensor(repeating: 0, shape: [0]).norm, 0)
    // 1 + 2²⁴ ones: a Float accumulator would stop growing at 2²⁴.
    let ones = Tensor(repeating: 1, shape: [(1 << 24) + 2])
    XCTAssertEqual(ones.squaredNorm, Double((1 << 24) + 2))
  }

  func testElementsAndRowsAreReadAndWrittenByPosition() throws {
    var t = Tensor(shape: [3, 2], storage: [0, 1, 2, 3, 4, 5])
    XCTAssertEqual(try t.offset(of: [2, 1]), 5)
    XCTAssertEqual(try t.element(at: [1, 0]), 2)
    XCTAssertThrowsError(try t.element(at: [3, 0])) { XCTAssertTrue("\($0)".contains("index 3 on axis 0")) }
    XCTAssertThrowsError(try t.element(at: [1])) { XCTAssertTrue("\($0)".contains("2 indices expected")) }
    try t.setElement(at: [0, 1], to: 9)
    try t.setRow(1, to: 7)
    try t.setRow(2, from: Tensor(shape: [1, 2], storage: [8, 6]))
    XCTAssertEqual(t.storage, [0, 9, 7, 7, 8, 6])
    XCTAssertThrowsError(try t.setRow(0, from: Tensor(repeating: 1, shape: [3]))) {
      XCTAssertEqual("\($0)", "shape mismatch: 2 values expected for a row of shape [2], got 3")
    }
    XCTAssertThrowsError(try t.setRow(3, to: 0))
    var scalar = Tensor(scalar: 1)
    XCTAssertThrowsError(try scalar.setRow(0, to: 2))
    XCTAssertEqual(try scalar.element(at: []), 1)
  }

  func testStatisticsOfATensorAndOfEveryParameter() throws {
    let s = try TensorStatistics(Tensor(shape: [4], storage: [1, 2, 3, 6]))
    XCTAssertEqual(s.count, 4)
    XCTAssertEqual(s.norm, 50.0.squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(s.mean, 3)
    XCTAssertEqual(s.std, 3.5.squareRoot(), accuracy: 1e-6, "biased: Σ(x − 3)²/4 = 14/4")
    XCTAssertEqual(s.min, 1)
    XCTAssertEqual(s.max, 6)
    XCTAssertThrowsError(try TensorStatistics(Tensor(repeating: 0, shape: [0])))
    var rng = RandomGenerator(seed: 1)
    let layer = try Linear(3, 2, rng: &rng)
    let rows = try TensorStatistics.parameters(of: layer)
    XCTAssertEqual(rows.map(\.name), ["weight", "bias"])
    XCTAssertEqual(rows[0].statistics, try TensorStatistics(layer.weight.value))
    XCTAssertEqual(rows[0].statistics.count, 6)
  }

  func testTensorsPrintNestedWithTheirShape() {
    XCTAssertEqual("\(Tensor(shape: [2, 2], storage: [1, 2, 3, 4.5]))", "tensor([[1, 2],\n        [3, 4.5]], shape {2, 2})")
    XCTAssertEqual("\(Tensor(scalar: 0.25))", "tensor(0.25, shape {})")
    XCTAssertEqual("\(Tensor.arange(100))".replacingOccurrences(of: "\n", with: ""),
      "tensor([0, 1, 2, ..., 97, 98, 99], shape {100})")
    XCTAssertEqual("\(Variable(Tensor(scalar: 1), requiresGrad: true))", "tensor(1, shape {}, requires_grad)")
  }

  func testBytesKeptAliveCountTheGraph() throws {
    let x = Variable(Tensor(repeating: 1, shape: [10]), requiresGrad: true)
    XCTAssertEqual(x.bytesKeptAlive, 40)
    let y = try (x * x).sum()
    // y (1 value) + x*x (10) + x (10).
    XCTAssertEqual(y.bytesKeptAlive, 4 * 21)
  }
}
