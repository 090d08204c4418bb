import XCTest

@testable import Core

final class MetricsAccuracyDistanceTests: XCTestCase {
  func testTop1AccuracyCountsArgmaxMatches() throws {
    // Row argmaxes are 1, 0, 2, 2 against labels 1, 0, 2, 0: three of four right.
    let outputs = try OutputMatrix(rows: [[0, 5, 1], [3, 1, 2], [0, 0, 1], [0.1, 0.2, 0.3]])
    XCTAssertEqual(try Accuracy.top1(outputs: outputs, labels: [1, 0, 2, 0]), 75, accuracy: 1e-12)
  }

  func testAccuracyRejectsBadInput() throws {
    let outputs = try OutputMatrix(rows: [[0, 1], [1, 0]])
    XCTAssertThrowsError(try Accuracy.top1(outputs: outputs, labels: [1]))
    XCTAssertThrowsError(try Accuracy.top1(outputs: outputs, labels: [1, 2]))
    XCTAssertThrowsError(try Accuracy.top1(predictions: [], labels: []))
    XCTAssertThrowsError(try OutputMatrix(values: [1, 2, 3], rowCount: 2, classCount: 2))
    XCTAssertThrowsError(try OutputMatrix(values: [1, .nan], rowCount: 1, classCount: 2))
    XCTAssertThrowsError(try OutputMatrix(Tensor(shape: [2], storage: [1, 2])))
  }

  func testOutputDistanceHandValues() throws {
    let p = try OutputMatrix(rows: [[1, 0], [0.5, 0.5]])
    let q = try OutputMatrix(rows: [[0, 1], [0.5, 0.5]])
    // Row 1: ‖(1,−1)‖ = √2; row 2: 0. Mean √2/2.
    XCTAssertEqual(
      try OutputDistance.mean(p, q, kind: .l2, input: .probabilities), 2.0.squareRoot() / 2,
      accuracy: 1e-12)
    // Disjoint supports: JS = ln 2; identical rows: 0.
    XCTAssertEqual(
      try OutputDistance.mean(p, q, kind: .jensenShannon, input: .probabilities), log(2.0) / 2,
      accuracy: 1e-12)
    // Softmax is shift-invariant: logits differing by a constant per row are at distance 0.
    let a = try OutputMatrix(rows: [[1, 2, 3]])
    let b = try OutputMatrix(rows: [[11, 12, 13]])
    XCTAssertEqual(try OutputDistance.mean(a, b), 0, accuracy: 1e-7)
  }

  func testOutputDistanceMatchesSciPy() throws {
    // scipy.special.softmax rows; np.linalg.norm and scipy.spatial.distance.jensenshannon²
    // averaged over rows.
    let a = try OutputMatrix(rows: [[1, 2, 0.5], [0, 0, 3]])
    let b = try OutputMatrix(rows: [[0.5, 1, 2], [1, -1, 0]])
    XCTAssertEqual(try OutputDistance.mean(a, b, kind: .l2), 0.7730512190832657, accuracy: 1e-6)
    XCTAssertEqual(
      try OutputDistance.mean(a, b, kind: .jensenShannon), 0.20239855170104976, accuracy: 1e-6)
  }

  func testOutputDistanceRejectsBadInput() throws {
    let a = try OutputMatrix(rows: [[1, 2]])
    let b = try OutputMatrix(rows: [[1, 2, 3]])
    XCTAssertThrowsError(try OutputDistance.mean(a, b))
    let notProbabilities = try OutputMatrix(rows: [[0.7, 0.7]])
    XCTAssertThrowsError(try OutputDistance.mean(notProbabilities, notProbabilities, input: .probabilities))
    XCTAssertThrowsError(try OutputDistance.Kind.named("cosine")) { error in
      XCTAssertTrue("\(error)".contains("l2, js"), "\(error)")
    }
  }

  func testParameterDistanceVariants() throws {
    // Δ = (0, 0, 0, 4): ‖Δ‖ = 4, over √4 = 2, over ‖θ_retrain‖ = √14.
    let unlearned: [Float] = [1, 2, 3, 4]
    let retrained: [Float] = [1, 2, 3, 0]
    XCTAssertEqual(try ParameterDistance.distance(unlearned, retrained, kind: .l2), 4, accuracy: 1e-12)
    XCTAssertEqual(try ParameterDistance.distance(unlearned, retrained), 2, accuracy: 1e-12)
    XCTAssertEqual(
      try ParameterDistance.distance(unlearned, retrained, kind: .relative), 4 / 14.0.squareRoot(),
      accuracy: 1e-12)
    XCTAssertEqual(
      try ParameterDistance.meanDistance([(unlearned, retrained), (retrained, retrained)], kind: .l2), 2,
      accuracy: 1e-12)
  }

  func testParameterDistanceRejectsBadInput() {
    XCTAssertThrowsError(try ParameterDistance.distance([1, 2], [1]))
    XCTAssertThrowsError(try ParameterDistance.distance([], []))
    XCTAssertThrowsError(try ParameterDistance.distance([1], [0], kind: .relative))
    XCTAssertThrowsError(try ParameterDistance.Kind.named("l1")) { error in
      XCTAssertTrue("\(error)".contains("l2_normalized, l2, relative"), "\(error)")
    }
  }

  func testSpeedupIsRetrainOverUnlearn() throws {
    XCTAssertEqual(try Speedup.ratio(retrainSeconds: 10, unlearnSeconds: 2), 5, accuracy: 1e-12)
    XCTAssertThrowsError(try Speedup.ratio(retrainSeconds: 10, unlearnSeconds: 0))
    XCTAssertThrowsError(try Speedup.ratio(retrainSeconds: -1, unlearnSeconds: 1))
  }
}
