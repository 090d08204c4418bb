import XCTest

@testable import Core

/// λI + Σ c_j u_j u_jᵀ: its product, and solves by both paths (formed P×P for P ≤ r, Woodbury
/// otherwise) against the formed matrix and each other, with coefficients of both signs.
final class SecondOrderLowRankTests: XCTestCase {
  func rows(_ r: Int, _ p: Int, salt: Int) -> Tensor {
    SecondOrderProblems.fill([r, p], salt: salt)
  }

  func testWoodburyAndDenseSolvesAgree() throws {
    for (r, p, coefficients) in [
      (3, 12, [0.5, 2.0, 1.0]),  // Woodbury, positive definite (Cholesky)
      (2, 9, [0.7, -0.05]),  // Woodbury, indefinite update (LU)
      (6, 4, [1, 1, 1, 1, 1, 1.0]),  // formed (P ≤ r)
    ] {
      let m = try DiagonalPlusLowRank(lambda: 0.3, rows: rows(r, p, salt: r + p), coefficients: coefficients)
      let dense = try m.dense()
      let b = SecondOrderProblems.vector(p, salt: 9)
      let x = try m.solve(b)
      XCTAssertLessThan(relativeError(try dense.times(x), b), 1e-6, "residual, r=\(r) p=\(p)")
      XCTAssertLessThan(relativeError(try m.times(x), b), 1e-6)
      XCTAssertLessThan(relativeError(x, try LUFactorization(dense).solve(b)), 1e-5)
    }
  }

  func testSingularAndBadInputsThrow() throws {
    let u = rows(2, 5, salt: 1)
    XCTAssertThrowsError(try DiagonalPlusLowRank(lambda: 0, rows: u, coefficients: [1, 1]).solve([1, 2, 3, 4, 5])) {
      XCTAssertTrue("\($0)".contains("rank"), "\($0)")
    }
    XCTAssertThrowsError(try DiagonalPlusLowRank(lambda: 1, rows: u, coefficients: [1]))
    XCTAssertThrowsError(try DiagonalPlusLowRank(lambda: 1, rows: u, coefficients: [1, 0]))
    XCTAssertThrowsError(try DiagonalPlusLowRank(lambda: 1, rows: u, coefficients: [1, 1]).solve([1]))
  }
}
