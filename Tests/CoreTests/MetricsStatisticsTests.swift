import XCTest

@testable import Core

final class MetricsStatisticsTests: XCTestCase {
  func testAverageRanksMatchSciPyRankdata() {
    // scipy.stats.rankdata([3,1,4,1,5,9,2,6,5,3])
    XCTAssertEqual(
      Ranking.averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]), [4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5])
  }

  func testSpearmanWithTiesMatchesSciPy() throws {
    // Reference values: scipy.stats.spearmanr(x, y).statistic (SciPy 1.x).
    XCTAssertEqual(
      try Spearman.rho([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 6, 6]), 0.9007775105401477,
      accuracy: 1e-12)
    XCTAssertEqual(try Spearman.rho([10, 20, 20, 30], [1, 1, 2, 2]), 0.7071067811865477, accuracy: 1e-12)
    XCTAssertEqual(
      try Spearman.rho([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8]),
      0.13471506281091267, accuracy: 1e-12)
    XCTAssertEqual(try Spearman.rho([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), -1, accuracy: 1e-12)
  }

  func testSpearmanEdgeCases() throws {
    XCTAssertTrue(try Spearman.rho([1, 1, 1], [1, 2, 3]).isNaN)
    XCTAssertThrowsError(try Spearman.rho([1, 2], [1]))
    XCTAssertThrowsError(try Spearman.rho([1], [1]))
    XCTAssertThrowsError(try Spearman.rho([1, .nan], [1, 2]))
  }

  func testAUCCountsTiesAsHalf() throws {
    // 16 pairs: 14 ordered correctly once ties (3,3) and (4,4) count one half each.
    let auc = try ROCAUC.auc(positives: [-1, -2, -3, -4], negatives: [-3, -4, -5, -6])
    XCTAssertEqual(auc, 14.0 / 16.0, accuracy: 1e-12)
    XCTAssertEqual(try ROCAUC.auc(positives: [2, 3], negatives: [0, 1]), 1)
    XCTAssertThrowsError(try ROCAUC.auc(positives: [], negatives: [1]))
  }

  func testSummaryUsesSampleStandardDeviation() throws {
    let s = try Summary([1, 2, 3, 4])
    XCTAssertEqual(s.mean, 2.5)
    XCTAssertEqual(s.std, (5.0 / 3.0).squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(s.formatted(digits: 2), "2.50 ± 1.29")
    XCTAssertEqual(try Summary([7]).std, 0)
    XCTAssertThrowsError(try Summary([]))
    XCTAssertEqual(Summary.fixed(-0.004, 2), "0.00")
    XCTAssertEqual(Summary.fixed(-1.256, 2), "-1.26")
    XCTAssertEqual(Summary.fixed(3.0, 0), "3")
  }
}
