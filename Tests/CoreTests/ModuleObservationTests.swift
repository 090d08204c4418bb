import XCTest

@testable import Core

/// Forward observers (`Module.observingForward`): they see the named layers' inputs and outputs
/// on the CNN, the MLP and ResNet-18, change no numerics (the fused Conv2d → ReLU → MaxPool2d
/// runs unfused while observed, with the same values), are removed afterwards, and refuse bad
/// names and modules that only run inside a fused primitive.
final class ModuleObservationTests: XCTestCase {
  func input(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.normal(shape, rng: &rng)
  }

  /// Observes every Linear and Conv2d; returns the logits and the observed outputs by name.
  func observeAll(_ model: Module, _ x: Tensor) throws -> (Tensor, [String: Tensor], [String: Tensor]) {
    let names = model.namedModules().filter { $0.1 is Linear || $0.1 is Conv2d }.map(\.0)
    var outputs: [String: Tensor] = [:]
    var inputs: [String: Tensor] = [:]
    let logits = try model.observingForward(
      of: names, { name, i, o in
        inputs[name] = i.value
        outputs[name] = o.value
      }, during: { try model.logits(inputs: x) })
    XCTAssertEqual(Set(outputs.keys), Set(names))
    return (logits, inputs, outputs)
  }

  func testCNNOutputsAreTheLayersOwnAndLogitsUnchanged() throws {
    var rng = RandomGenerator(seed: 1)
    let cnn = try Models.cnn(inputShape: [1, 12, 12], classes: 4, rng: &rng)
    let x = input([3, 1, 12, 12], seed: 2)
    let plain = try cnn.logits(inputs: x)
    let (logits, inputs, outputs) = try observeAll(cnn, x)
    XCTAssertEqual(logits, plain, "observing changes no numerics")
    XCTAssertEqual(try cnn.logits(inputs: x), plain, "and the fused path is back afterwards")
    // conv1's output is the convolution itself (before the ReLU the fused primitive applies).
    let conv1 = cnn.layers[0].1 as! Conv2d
    let direct = try GradMode.withoutGrad { try conv1.forward(Variable(x)).value }
    XCTAssertEqual(outputs["conv1"], direct)
    XCTAssertTrue(outputs["conv1"]!.storage.contains { $0 < 0 }, "pre-activation values")
    XCTAssertEqual(outputs["conv2"]?.shape, [3, 64, 8, 8])
    XCTAssertEqual(inputs["fc2"]?.shape, [3, 128])
    XCTAssertEqual(outputs["fc2"], plain, "the head's output is the logits")
    for (_, m) in cnn.namedModules() { XCTAssertNil(m.forwardObserver) }
  }

  func testMLPAndResNetAreObservedWithoutChangingLogits() throws {
    var rng = RandomGenerator(seed: 3)
    let mlp = try Models.mlp(inputFeatures: 6, classes: 3, hidden: [5], activation: .tanh, rng: &rng)
    let xm = input([4, 6], seed: 4)
    let (lm, _, om) = try observeAll(mlp, xm)
    XCTAssertEqual(lm, try mlp.logits(inputs: xm))
    XCTAssertEqual(om["fc1"]?.shape, [4, 5])

    let resnet = try ResNet(inputChannels: 3, classes: 5, rng: &rng)
    let xr = input([2, 3, 8, 8], seed: 5)
    let plain = try resnet.logits(inputs: xr)
    let (lr, ir, or) = try observeAll(resnet, xr)
    XCTAssertEqual(lr, plain)
    XCTAssertEqual(or.count, 21, "20 convolutions and the fc layer")
    XCTAssertEqual(ir["fc"]?.shape, [2, 512])
    XCTAssertEqual(or["layer4.1.conv2"]?.shape, [2, 512, 1, 1])
  }

  func testBadNamesAndFusedModulesAreErrors() throws {
    var rng = RandomGenerator(seed: 6)
    let resnet = try ResNet(inputChannels: 3, classes: 5, rng: &rng)
    let x = input([1, 3, 8, 8], seed: 7)
    XCTAssertThrowsError(try resnet.observingForward(of: ["fc9"], { _, _, _ in }, during: {})) {
      XCTAssertTrue("\($0)".contains("no module named 'fc9'"), "\($0)")
      XCTAssertTrue("\($0)".contains("layer1.0.conv1"), "lists the modules")
    }
    XCTAssertThrowsError(try resnet.observingForward(of: ["fc", "fc"], { _, _, _ in }, during: {}))
    XCTAssertThrowsError(
      try resnet.observingForward(of: ["fc", "layer1.0.bn1"], { _, _, _ in }, during: { try resnet.logits(inputs: x) })
    ) { XCTAssertTrue("\($0)".contains("fused primitive"), "\($0)") }
    XCTAssertNil(resnet.fc.forwardObserver, "removed after an error too")
    // Nested observation of the same module is refused.
    XCTAssertThrowsError(
      try resnet.observingForward(of: ["fc"], { _, _, _ in }, during: {
        try resnet.observingForward(of: ["fc"], { _, _, _ in }, during: {})
      }))
  }
}
