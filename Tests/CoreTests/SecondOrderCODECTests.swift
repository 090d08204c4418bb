import XCTest

@testable import Core

/// Azadkia & Chatterjee's T(Y, Z | X) and FOCI: values worked out by hand, a NumPy
/// reimplementation's values (`Tests/Fixtures/secondorder/reference.py`), and a planted
/// selection problem.
final class SecondOrderCODECTests: XCTestCase {
  func column(_ values: [Double]) throws -> DenseMatrix {
    try DenseMatrix(rows: values.count, columns: 1, storage: values)
  }

  /// Y = [1, 3, 2, 4], Z = [0, 10, 1, 11], n = 4.
  /// Nearest neighbours in Z: M = [2, 3, 0, 1] (|0−1| = 1, |10−11| = 1).
  /// R_i = #{Y_j ≤ Y_i} = [1, 3, 2, 4]; L_i = #{Y_j ≥ Y_i} = [4, 2, 3, 1].
  /// min(R_i, R_M(i)) = [min(1,2), min(3,4), min(2,1), min(4,3)] = [1, 3, 1, 3]; n·Σ = 32.
  /// Σ L² = 16 + 4 + 9 + 1 = 30; Σ L(n − L) = 0 + 4 + 3 + 3 = 10. T = (32 − 30) / 10 = 0.2.
  func testUnconditionalByHand() throws {
    let t = try ConditionalDependence.coefficient(y: [1, 3, 2, 4], z: column([0, 10, 1, 11]))
    XCTAssertEqual(t, 0.2, accuracy: 1e-15)
  }

  /// Ties in Y count through ≤ and ≥. Y = [1, 2, 2, 3], Z = [0, 1, 3, 6].
  /// M = [1, 0, 1, 2]; R = [1, 3, 3, 4]; L = [4, 3, 3, 1].
  /// min(R_i, R_M(i)) = [1, 1, 3, 3]; n·Σ = 32. Σ L² = 35; Σ L(n − L) = 0 + 3 + 3 + 3 = 9.
  /// T = (32 − 35) / 9 = −1/3.
  func testTiesInYByHand() throws {
    let t = try ConditionalDependence.coefficient(y: [1, 2, 2, 3], z: column([0, 1, 3, 6]))
    XCTAssertEqual(t, -1.0 / 3, accuracy: 1e-15)
  }

  /// Y = [0.5, 2, 1, 3, 2.5] (R = [1, 3, 2, 5, 4]), X = [0, 3, 1, 8, 4], Z = [0, 5, 0, 0, 0].
  /// Neighbours in X: N = [2, 4, 0, 4, 1]. In (X, Z), squared distances from sample 4 = (4, 0):
  /// to (0,0) 16, (3,5) 26, (1,0) 9, (8,0) 16, so M(4) = 2; the others keep their X
  /// neighbour: M = [2, 4, 0, 4, 2].
  /// Σ min(R_i, R_N(i)) = 1 + 3 + 1 + 4 + 3 = 12; Σ min(R_i, R_M(i)) = 1 + 3 + 1 + 4 + 2 = 11;
  /// Σ R = 15. T = (11 − 12) / (15 − 12) = −1/3.
  func testConditionalByHand() throws {
    let t = try ConditionalDependence.coefficient(
      y: [0.5, 2, 1, 3, 2.5], z: column([0, 5, 0, 0, 0]), given: column([0, 3, 1, 8, 4]))
    XCTAssertEqual(t, -1.0 / 3, accuracy: 1e-15)
  }

  func testMatchesNumPyReference() throws {
    let y = SecondOrderReference.codecY
    let x = try DenseMatrix(rows: 40, columns: 2, storage: SecondOrderReference.codecX)
    let z = try column(SecondOrderReference.codecZ)
    XCTAssertEqual(try ConditionalDependence.coefficient(y: y, z: z), SecondOrderReference.codecYZ, accuracy: 1e-12)
    XCTAssertEqual(
      try ConditionalDependence.coefficient(y: y, z: z, given: x), SecondOrderReference.codecYZGivenX, accuracy: 1e-12)
    XCTAssertEqual(
      try ConditionalDependence.coefficient(y: y, z: column(x.column(1)), given: z),
      SecondOrderReference.codecYX1GivenZ, accuracy: 1e-12)
    let features = try DenseMatrix(rows: 80, columns: 6, storage: SecondOrderReference.fociFeatures)
    let r = try FOCI.select(y: SecondOrderReference.fociY, features: features)
    XCTAssertEqual(r.selected, SecondOrderReference.fociSelected)
    XCTAssertLessThan(relativeError(r.scores, SecondOrderReference.fociScores), 1e-12)
  }

  /// A planted problem shaped like LCODEC's: 20 "slice activations", the "loss" depends on
  /// slices 7 and 13 only (plus 5% noise). FOCI picks exactly those two and stops.
  func testFOCIFindsPlantedFeatures() throws {
    var rng = RandomGenerator(seed: 11)
    let n = 200
    let p = 20
    var features = try DenseMatrix(rows: n, columns: p)
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
      for j in 0..<p { features[i, j] = Double(rng.nextUniform()) }
      y[i] = sin(3 * features[i, 7]) + features[i, 13] * features[i, 13] + 0.05 * Double(rng.nextNormal())
    }
    let r = try FOCI.select(y: y, features: features)
    XCTAssertEqual(Set(r.selected.prefix(2)), [7, 13], "selected \(r.selected) scores \(r.scores)")
    XCTAssertLessThanOrEqual(r.selected.count, 3)
    XCTAssertEqual(try FOCI.select(y: y, features: features, maxSelected: 1).selected, [r.selected[0]])
  }

  /// A constant feature ties every distance: neighbours are drawn at random (seeded), so
  /// T(Y, constant) is reproducible per seed, varies across seeds and averages near 0.
  func testRandomTieBreaking() throws {
    let y = (0..<30).map { Double($0 * 7 % 30) }
    let z = try column([Double](repeating: 1, count: 30))
    let a = try ConditionalDependence.coefficient(y: y, z: z, seed: 5)
    XCTAssertEqual(try ConditionalDependence.coefficient(y: y, z: z, seed: 5), a)
    let values = try (0..<40).map { try ConditionalDependence.coefficient(y: y, z: z, seed: UInt64($0)) }
    XCTAssertGreaterThan(Set(values).count, 10)
    let mean = values.reduce(0, +) / 40
    XCTAssertLessThan(abs(mean), 0.1, "mean \(mean)")
  }

  func testUndefinedAndBadInput() throws {
    XCTAssertThrowsError(try ConditionalDependence.coefficient(y: [1, 1, 1], z: column([1, 2, 3]))) { error in
      XCTAssertTrue("\(error)".contains("constant"), "\(error)")
    }
    XCTAssertThrowsError(try ConditionalDependence.coefficient(y: [1], z: column([1])))
    XCTAssertThrowsError(try ConditionalDependence.coefficient(y: [1, 2], z: column([1, 2, 3])))
    XCTAssertThrowsError(try ConditionalDependence.coefficient(y: [1, .nan], z: column([1, 2])))
    XCTAssertThrowsError(try FOCI.select(y: [1, 2, 3], features: column([1, 2, 3]), maxSelected: 0))
    XCTAssertEqual(try FOCI.select(y: [1, 2, 3], features: DenseMatrix(rows: 3, columns: 0)).selected, [])
  }
}
