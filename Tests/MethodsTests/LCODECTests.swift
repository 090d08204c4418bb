import Core
import ToyProblems
import XCTest

@testable import Methods

/// LCODEC's promise: on a planted problem, the slices it selects are the ones that carry the
/// loss, never the units the loss does not depend on. It runs on the CNN and ResNet-18 too.
final class LCODECTests: XCTestCase {
  /// fc1 (16 → 8) → tanh → fc2 (8 → 2). fc1's unit u reads only inputs 2u and 2u + 1, so the
  /// units respond to independent parts of the input noise; fc2 reads only units 1 and 6. The
  /// loss is then a function of those two units (and of fc2's outputs), and independent of
  /// fc1's six other units.
  func planted(seed: UInt64) throws -> (Sequential, Tensor, [Int]) {
    var rng = RandomGenerator(seed: seed)
    let model = try Models.mlp(inputFeatures: 16, classes: 2, hidden: [8], activation: .tanh, rng: &rng)
    let fc1 = model.layers[0].1 as! Linear
    var w1 = [Float](repeating: 0, count: 8 * 16)
    for u in 0..<8 {
      w1[u * 16 + 2 * u] = 0.5 + rng.nextUniform()
      w1[u * 16 + 2 * u + 1] = -0.5 - rng.nextUniform()
    }
    fc1.weight.value = Tensor(shape: [8, 16], storage: w1)
    let fc2 = model.layers[2].1 as! Linear
    var w = [Float](repeating: 0, count: 16)
    for (unit, sign) in [(1, Float(1)), (6, Float(-1))] {
      w[unit] = 2 * sign
      w[8 + unit] = -2 * sign
    }
    fc2.weight.value = Tensor(shape: [2, 8], storage: w)
    let x = Tensor.normal([40, 16], std: 0.5, rng: &rng)
    let labels = (0..<40).map { $0 % 2 }
    return (model, x, labels)
  }

  func testSelectsOnlySlicesThatCarryTheLoss() throws {
    let signal: Set<ParameterSlice> = [
      ParameterSlice(layer: "fc1", unit: 1), ParameterSlice(layer: "fc1", unit: 6),
      ParameterSlice(layer: "fc2", unit: 0), ParameterSlice(layer: "fc2", unit: 1),
    ]
    // One forget sample (the reference's unit of scrubbing), then the union over 4 of 40.
    for (seed, forget, points) in [(1, [0], 1), (2, [3], 1), (3, [4], 1), (4, Array(0..<40), 4)] as [(UInt64, [Int], Int)] {
      let (model, x, labels) = try planted(seed: seed)
      let before = model.parameterVector()
      let selection = try LCODEC(samples: 400, noise: 0.5, maxSlices: 0, points: points).select(
        model: model, inputs: try x.indexSelect(axis: 0, indices: forget), labels: forget.map { labels[$0] }, seed: seed)
      XCTAssertEqual(selection.points, points)
      XCTAssertEqual(selection.candidates, 10)
      XCTAssertFalse(selection.slices.isEmpty)
      XCTAssertTrue(Set(selection.slices).isSubset(of: signal), "seed \(seed): \(selection.slices) \(selection.scores)")
      XCTAssertEqual(model.parameterVector(), before, "the model is left as it was")
      XCTAssertTrue(model.isTraining)
    }
    // A cap keeps the first choices.
    let (model, x, labels) = try planted(seed: 1)
    let capped = try LCODEC(samples: 400, noise: 0.5, maxSlices: 1, points: 3).select(
      model: model, inputs: x, labels: labels, seed: 1)
    XCTAssertEqual(capped.slices.count, 1)
  }

  func testRunsOnTheCNNAndResNet() throws {
    var rng = RandomGenerator(seed: 4)
    let cnn = try Models.cnn(inputShape: [1, 10, 10], classes: 3, rng: &rng)
    let s1 = try LCODEC(samples: 40, noise: 0.1, maxSlices: 3).select(
      model: cnn, inputs: Tensor.normal([5, 1, 10, 10], rng: &rng), labels: [0, 1, 2, 0, 1], seed: 0)
    XCTAssertEqual(s1.candidates, 32 + 64 + 128 + 3)
    XCTAssertFalse(s1.slices.isEmpty)
    _ = try ParameterSubset(model: cnn, slices: s1.slices)

    let resnet = try ResNet(inputChannels: 3, classes: 3, rng: &rng)
    let s2 = try LCODEC(samples: 20, noise: 0.1, maxSlices: 2).select(
      model: resnet, inputs: Tensor.normal([2, 3, 8, 8], rng: &rng), labels: [0, 2], seed: 0)
    // Stem 64; per stage, four convolutions of its width, plus a shortcut from stage 2 on; fc 3.
    XCTAssertEqual(s2.candidates, 64 + 4 * 64 + 5 * 128 + 5 * 256 + 5 * 512 + 3)
    _ = try ParameterSubset(model: resnet, slices: s2.slices)
  }

  func testBadOptionsAreErrors() throws {
    let spec = LCODEC.optionSpecs
    for (name, value) in [("lcodec_samples", 1.0), ("lcodec_noise", 0.0), ("lcodec_max_slices", -1.0), ("lcodec_points", 0)] {
      let options = try MethodOptions.resolve([name: .number(value)], specs: spec, owner: "cr")
      XCTAssertThrowsError(try LCODEC.from(options, owner: "cr")) { XCTAssertTrue("\($0)".contains(name), "\($0)") }
    }
  }
}
