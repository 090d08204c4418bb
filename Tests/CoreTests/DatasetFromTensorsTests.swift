import XCTest

@testable import Core

/// `Dataset(name:inputs:labels:classCount:)`: small data made in a script, batches unchanged.
final class DatasetFromTensorsTests: XCTestCase {
  func testBatchesReturnTheInputRowsUnchanged() throws {
    let x = Tensor(shape: [3, 2], storage: [0.1, -2, 3e-8, 4, -0.0, 6])
    let d = try Dataset(name: "toy", inputs: x, labels: [2, 0, 1], classCount: 3)
    XCTAssertEqual(d.sampleShape, [2])
    let b = try d.batch(at: [2, 0])
    XCTAssertEqual(b.inputs.shape, [2, 2])
    XCTAssertEqual(b.inputs.storage.map(\.bitPattern), [-0.0, 6, 0.1, -2].map { Float($0).bitPattern })
    XCTAssertEqual(b.labels, [1, 2])
  }

  func testInconsistentInputsAndLabelsAreRefused() {
    let x = Tensor(repeating: 1, shape: [2, 3])
    XCTAssertThrowsError(try Dataset(name: "t", inputs: x, labels: [0], classCount: 2))
    XCTAssertThrowsError(try Dataset(name: "t", inputs: x, labels: [0, 2], classCount: 2)) {
      XCTAssertEqual("\($0)", "t: label 2 outside 0..<2")
    }
    XCTAssertThrowsError(try Dataset(name: "t", inputs: x, labels: [0, -1], classCount: 2))
    XCTAssertThrowsError(try Dataset(name: "t", inputs: Tensor(repeating: 1, shape: [2]), labels: [0, 1], classCount: 2))
    XCTAssertThrowsError(try Dataset(name: "t", inputs: x, labels: [0, 1], classCount: Int(Int32.max) + 1))
  }
}
