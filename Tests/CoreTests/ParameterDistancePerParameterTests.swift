import XCTest

@testable import Core

/// `ParameterDistance.perParameter`: one entry per parameter of the reference and "(all)",
/// agreeing with the flat-vector distance.
final class ParameterDistancePerParameterTests: XCTestCase {
  func testEntriesPerParameterAndForTheWholeModel() throws {
    var rng = RandomGenerator(seed: 3)
    let reference = try Linear(2, 2, rng: &rng)
    let model = try XCTUnwrap(reference.clone() as? Linear)
    reference.bias?.value = Tensor(repeating: 0, shape: [2])
    model.weight.value = try model.weight.value + Tensor(repeating: 0.5, shape: [2, 2])
    model.bias?.value = Tensor(shape: [2], storage: [3, 4])
    let entries = try ParameterDistance.perParameter(model, reference: reference)
    XCTAssertEqual(entries.map(\.name), ["weight", "bias", "(all)"])
    XCTAssertEqual(entries[0].l2, 1, accuracy: 1e-6, "four differences of 0.5")
    XCTAssertEqual(entries[0].relative ?? -1, 1 / reference.weight.value.norm, accuracy: 1e-6)
    XCTAssertEqual(entries[1].l2, 5, accuracy: 1e-12)
    XCTAssertNil(entries[1].relative, "no relative distance to an all-zero bias")
    let flat = try ParameterDistance.distance(
      model.parameterVector().storage, reference.parameterVector().storage, kind: .l2)
    XCTAssertEqual(entries[2].l2, flat, accuracy: 1e-9)
    let relative = try ParameterDistance.distance(
      model.parameterVector().storage, reference.parameterVector().storage, kind: .relative)
    XCTAssertEqual(entries[2].relative ?? -1, relative, accuracy: 1e-9)
    XCTAssertEqual(try ParameterDistance.perParameter(model, reference: model).map(\.l2), [0, 0, 0])
  }

  func testModelsOfDifferentArchitecturesAreRefused() throws {
    var rng = RandomGenerator(seed: 3)
    XCTAssertThrowsError(try ParameterDistance.perParameter(try Linear(3, 2, rng: &rng), reference: try Linear(2, 2, rng: &rng))) {
      XCTAssertEqual("\($0)", "DIST_para: models differ at parameter 'weight'")
    }
  }
}
