import Core
import Foundation
import XCTest

final class MetricsZRFTests: XCTestCase {
  func testScoreIsOneMinusMeanJensenShannon() throws {
    let a = try OutputMatrix(rows: [[2, 0, -1], [0, 0, 0]])
    XCTAssertEqual(try ZeroRetrainForgetting.score(a, incompetent: a), 1, accuracy: 1e-12)
    // Near one-hot outputs on different classes: JS → ln 2, so ZRF → 1 − ln 2.
    let p = try OutputMatrix(rows: [[60, 0]]), q = try OutputMatrix(rows: [[0, 60]])
    XCTAssertEqual(try ZeroRetrainForgetting.score(p, incompetent: q), 1 - log(2), accuracy: 1e-9)
    // By hand: softmax([ln 3, 0]) = (0.75, 0.25) against (0.5, 0.5), averaged with an identical row.
    let r = try OutputMatrix(rows: [[Float(log(3.0)), 0], [0, 0]]), u = try OutputMatrix(rows: [[0, 0], [0, 0]])
    let m = [0.625, 0.375]
    let js = 0.5 * (0.75 * log(0.75 / m[0]) + 0.25 * log(0.25 / m[1])) + 0.5 * (0.5 * log(0.5 / m[0]) + 0.5 * log(0.5 / m[1]))
    XCTAssertEqual(try ZeroRetrainForgetting.score(r, incompetent: u), 1 - js / 2, accuracy: 1e-7)
  }

  func testMismatchedOutputsThrowAndTheNameIsKnown() throws {
    let a = try OutputMatrix(rows: [[1, 2]]), b = try OutputMatrix(rows: [[1, 2, 3]])
    XCTAssertThrowsError(try ZeroRetrainForgetting.score(a, incompetent: b)) { XCTAssertTrue("\($0)".contains("ZRF")) }
    XCTAssertEqual(try MetricName.named("zrf"), .zrf)
    XCTAssertEqual(MetricName.zrf.title, "ZRF")
  }
}
