import XCTest

@testable import Core

/// Parameter subsets: whole parameters and output-unit slices, gather and scatter, errors.
final class SecondOrderSubsetTests: XCTestCase {
  func testSlicesSelectWeightRowsAndBiasElements() throws {
    let (conv, _, _) = try SecondOrderProblems.conv()
    XCTAssertEqual(ParameterSlice.all(of: conv).map(\.description), ["conv[0]", "conv[1]", "fc[0]", "fc[1]", "fc[2]"])
    // Given out of order: the vector follows the model's parameter order, units ascending.
    let subset = try ParameterSubset(
      model: conv,
      slices: [ParameterSlice(layer: "fc", unit: 2), ParameterSlice(layer: "conv", unit: 1),
               ParameterSlice(layer: "fc", unit: 0)])
    XCTAssertEqual(subset.pieces.map(\.name), ["conv.weight", "conv.bias", "fc.weight", "fc.bias"])
    XCTAssertEqual(subset.count, 9 + 1 + 2 * 8 + 2)
    XCTAssertEqual(subset.description, "conv[1], fc[0, 2]")
    let w = conv.parameter(named: "conv.weight")!.value.storage
    let fw = conv.parameter(named: "fc.weight")!.value.storage
    let fb = conv.parameter(named: "fc.bias")!.value.storage
    let expected =
      w[9..<18].map { Double($0) } + [Double(conv.parameter(named: "conv.bias")!.value.storage[1])]
      + fw[0..<8].map { Double($0) } + fw[16..<24].map { Double($0) } + [Double(fb[0]), Double(fb[2])]
    XCTAssertEqual(subset.values(), expected)
  }

  func testScatterWritesOnlyTheSubset() throws {
    let (mlp, _, _) = try SecondOrderProblems.mlp()
    let before = mlp.stateDictionary()
    let subset = try ParameterSubset(model: mlp, slices: [ParameterSlice(layer: "fc1", unit: 3)])
    let v = (0..<subset.count).map { Double($0) + 0.5 }
    try subset.setValues(v)
    XCTAssertEqual(subset.values(), v)
    let after = mlp.stateDictionary()
    for (name, t) in after {
      for k in 0..<t.count {
        let inUnit3 = name == "fc1.weight" ? (k / 4 == 3) : (name == "fc1.bias" && k == 3)
        if !inUnit3 { XCTAssertEqual(t.storage[k], before[name]!.storage[k], "\(name)[\(k)]") }
      }
    }
    try subset.addToValues([Double](repeating: 1, count: subset.count), scale: -0.5)
    XCTAssertEqual(subset.values(), v.map { $0 - 0.5 })
    XCTAssertThrowsError(try subset.setValues([1]))
    XCTAssertThrowsError(try subset.setValues([Double](repeating: .infinity, count: subset.count)))
  }

  func testGradientsAndStoredSnapshots() throws {
    let (mlp, _, _) = try SecondOrderProblems.mlp()
    let subset = try ParameterSubset(model: mlp, parameters: ["fc2.bias", "fc1.bias"])
    XCTAssertEqual(subset.pieces.map(\.name), ["fc1.bias", "fc2.bias"])
    XCTAssertEqual(subset.gradients(), [Double](repeating: 0, count: 8))
    mlp.parameter(named: "fc2.bias")!.grad = Tensor([1, 2, 3])
    XCTAssertEqual(subset.gradients(), [0, 0, 0, 0, 0, 1, 2, 3])
    var snapshot = mlp.stateDictionary()
    snapshot["fc1.bias"] = Tensor([9, 8, 7, 6, 5])
    XCTAssertEqual(try subset.gather(from: snapshot).prefix(5), [9, 8, 7, 6, 5])
    snapshot["fc1.bias"] = Tensor([1])
    XCTAssertThrowsError(try subset.gather(from: snapshot))
    snapshot.removeValue(forKey: "fc1.bias")
    XCTAssertThrowsError(try subset.gather(from: snapshot))
  }

  func testBoundToAClone() throws {
    let (mlp, _, _) = try SecondOrderProblems.mlp()
    let subset = try ParameterSubset(model: mlp, slices: [ParameterSlice(layer: "fc2", unit: 0)])
    let clone = mlp.clone()
    let other = try subset.bound(to: clone)
    try other.setValues([Double](repeating: 0, count: other.count))
    XCTAssertNotEqual(subset.values(), other.values())
    XCTAssertEqual(other.description, subset.description)
    let (conv, _, _) = try SecondOrderProblems.conv()
    XCTAssertThrowsError(try subset.bound(to: conv))
  }

  func testBadSelectionsSayWhy() throws {
    let (mlp, _, _) = try SecondOrderProblems.mlp()
    func message(_ body: () throws -> ParameterSubset) -> String {
      do {
        _ = try body()
        return "no error"
      } catch { return "\(error)" }
    }
    XCTAssertTrue(message { try ParameterSubset(model: mlp, parameters: ["fc3.weight"]) }.contains("fc1.weight"))
    XCTAssertTrue(message { try ParameterSubset(model: mlp, parameters: ["fc1.bias", "fc1.bias"]) }.contains("repeated"))
    XCTAssertTrue(message { try ParameterSubset(model: mlp, parameters: []) }.contains("no parameter"))
    XCTAssertTrue(message { try ParameterSubset(model: mlp, slices: [ParameterSlice(layer: "fc9", unit: 0)]) }.contains("fc1, fc2"))
    XCTAssertTrue(message { try ParameterSubset(model: mlp, slices: [ParameterSlice(layer: "act1", unit: 0)]) }.contains("Linear or Conv2d"))
    XCTAssertTrue(message { try ParameterSubset(model: mlp, slices: [ParameterSlice(layer: "fc2", unit: 3)]) }.contains("3 outputs"))
    XCTAssertTrue(message { try ParameterSubset(model: mlp, slices: [ParameterSlice(layer: "fc2", unit: -1)]) }.contains("out of range"))
  }
}
