import XCTest

@testable import Core

/// Module structure: names, modes, copies, flat vectors, state dicts, summaries, factories.
final class ModuleTests: XCTestCase {
  private func smallCNN(seed: UInt64 = 1, classes: Int = 10) throws -> Module {
    try Models.make("cnn", inputShape: [1, 12, 12], classes: classes, seed: seed)
  }

  func testCNNAndMLPNamesAndCounts() throws {
    let cnn = try Models.make(name: "cnn", inputChannels: 1, imageSize: 28, classes: 10, seed: 0)
    XCTAssertEqual(cnn.stateDict().map { $0.0 },
      ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
       "fc2.weight", "fc2.bias"])
    XCTAssertEqual(cnn.parameter(named: "fc1.weight")?.shape, [128, 9216])
    XCTAssertEqual(cnn.parameterCount, 320 + 18_496 + 1_179_776 + 1_290)
    let mlp = try Models.make("mlp", inputShape: [600], classes: 100, seed: 0)
    XCTAssertEqual(mlp.namedParameters().map { $0.0 }, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    XCTAssertEqual(mlp.parameterCount, 600 * 128 + 128 + 128 * 100 + 100)
    var options = Models.Options()
    options.mlpHidden = [256, 64]
    options.mlpActivation = .relu
    let deep = try Models.make("mlp", inputShape: [600], classes: 10, seed: 0, options: options)
    XCTAssertEqual(deep.parameter(named: "fc2.weight")?.shape, [64, 256])
    XCTAssertTrue(deep.namedModules().contains { $0.1 is ReLU })
  }

  func testUnknownModelNameListsValidNames() {
    XCTAssertThrowsError(try Models.make("vgg", inputShape: [3, 32, 32], classes: 10, seed: 0)) {
      let text = "\($0)"
      XCTAssertTrue(text.contains("vgg") && text.contains("cnn, mlp, resnet18"), text)
    }
    XCTAssertThrowsError(try Models.make("cnn", inputShape: [1, 4, 4], classes: 10, seed: 0))
    XCTAssertThrowsError(try Models.make("mlp", inputShape: [600], classes: 0, seed: 0))
    XCTAssertThrowsError(try Models.make("resnet18", inputShape: [600], classes: 10, seed: 0))
  }

  func testDefaultInitialisationAndSeeds() throws {
    let a = try smallCNN(seed: 7)
    let b = try smallCNN(seed: 7)
    let c = try smallCNN(seed: 8)
    XCTAssertEqual(a.parameterVector().storage, b.parameterVector().storage)
    XCTAssertNotEqual(a.parameterVector().storage, c.parameterVector().storage)
    let w = a.parameter(named: "conv2.weight")!.value.storage
    let bound = 1 / Float(32 * 9).squareRoot()
    XCTAssertLessThanOrEqual(w.map(abs).max()!, bound)
    XCTAssertGreaterThan(w.map(abs).max()!, bound * 0.95)
    let mean = w.reduce(0, +) / Float(w.count)
    XCTAssertLessThan(abs(mean), bound * 0.05)
    var rng = RandomGenerator(seed: 1)
    let bn = try BatchNorm2d(4)
    XCTAssertEqual(bn.weight.value.storage, [1, 1, 1, 1])
    XCTAssertEqual(bn.bias.value.storage, [0, 0, 0, 0])
    XCTAssertEqual(bn.namedBuffers().map { $0.0 }, ["running_mean", "running_var", "num_batches_tracked"])
    XCTAssertThrowsError(try Linear(0, 3, rng: &rng))
    XCTAssertThrowsError(try Dropout(p: 1, rng: &rng))
  }

  func testCloneIsDeepAndEquivalent() throws {
    var rng = RandomGenerator(seed: 2)
    let block = try BasicBlock(3, 4, stride: 2, rng: &rng)
    let x = Variable(Tensor.normal([2, 3, 6, 6], rng: &rng))
    _ = try block(x)  // training mode: running statistics move
    let copy = block.clone()
    XCTAssertEqual(copy.stateDict().map { $0.0 }, block.stateDict().map { $0.0 })
    for ((_, a), (_, b)) in zip(copy.stateDict(), block.stateDict()) {
      XCTAssertEqual(a.storage, b.storage)
    }
    block.eval()
    copy.eval()
    XCTAssertEqual(try copy(x).value.storage, try block(x).value.storage)
    copy.parameter(named: "conv1.weight")!.value.storage[0] += 1
    copy.buffer(named: "bn1.running_mean")!.value.storage[0] += 1
    XCTAssertNotEqual(copy.parameter(named: "conv1.weight")!.value.storage[0],
      block.parameter(named: "conv1.weight")!.value.storage[0])
    XCTAssertNotEqual(copy.buffer(named: "bn1.running_mean")!.value.storage[0],
      block.buffer(named: "bn1.running_mean")!.value.storage[0])
    XCTAssertFalse(copy.parameters().contains { p in block.parameters().contains { $0 === p } })
  }

  func testTrainEvalModesPropagateAndBatchNormUsesRunningStatsInEval() throws {
    let model = try Models.make("cnn", inputShape: [1, 8, 8], classes: 3, seed: 0)
    XCTAssertTrue(model.namedModules().allSatisfy { $0.1.isTraining })
    model.eval()
    XCTAssertTrue(model.namedModules().allSatisfy { !$0.1.isTraining })
    var rng = RandomGenerator(seed: 5)
    let bn = try BatchNorm2d(2)
    let x = Variable(Tensor.normal([3, 2, 2, 2], mean: 1, std: 2, rng: &rng))
    bn.eval()
    let y = try bn(x)
    XCTAssertEqual(bn.runningMean.value.storage, [0, 0])
    XCTAssertEqual(bn.numBatchesTracked.value.storage, [0])
    // Running mean 0, variance 1, γ 1, β 0: evaluation is x / √(1 + eps).
    for (a, b) in zip(y.value.storage, x.value.storage) {
      XCTAssertEqual(a, b / (1 + 1e-5).squareRoot(), accuracy: 1e-6)
    }
    bn.train()
    _ = try bn(x)
    XCTAssertEqual(bn.numBatchesTracked.value.storage, [1])
    XCTAssertNotEqual(bn.runningMean.value.storage, [0, 0])
  }

  func testFlatVectorsGradientsAndStateDictErrors() throws {
    let model = try smallCNN()
    let v = model.parameterVector()
    XCTAssertEqual(v.count, model.parameterCount)
    let doubled = Tensor(shape: v.shape, storage: v.storage.map { $0 * 2 })
    try model.setParameterVector(doubled)
    XCTAssertEqual(model.parameterVector().storage, doubled.storage)
    XCTAssertEqual(model.parameter(named: "conv1.weight")!.value.storage[0], v.storage[0] * 2)
    XCTAssertThrowsError(try model.setParameterVector(Tensor(repeating: 0, shape: [3])))
    XCTAssertEqual(model.gradientVector().storage, [Float](repeating: 0, count: v.count))
    let x = Variable(Tensor(repeating: 0.5, shape: [2, 1, 12, 12]))
    try Functional.crossEntropy(try model(x), targets: [1, 2]).backward()
    let named = model.namedGradients()
    XCTAssertTrue(named.allSatisfy { $0.1 != nil })
    XCTAssertEqual(model.gradientVector().storage.count, v.count)
    XCTAssertEqual(Array(model.gradientVector().storage.prefix(288)), named[0].1!.storage)
    model.zeroGrad()
    XCTAssertTrue(model.namedGradients().allSatisfy { $0.1 == nil })

    var state = model.stateDictionary()
    state["fc2.weight"] = Tensor(repeating: 0, shape: [3, 3])
    state["extra.weight"] = Tensor(repeating: 0, shape: [1])
    state.removeValue(forKey: "conv1.bias")
    let before = model.parameterVector().storage
    XCTAssertThrowsError(try model.loadStateDict(state)) {
      let text = "\($0)"
      XCTAssertTrue(text.contains("missing conv1.bias"), text)
      XCTAssertTrue(text.contains("unexpected extra.weight"), text)
      XCTAssertTrue(text.contains("fc2.weight has shape [3, 3]"), text)
    }
    XCTAssertEqual(model.parameterVector().storage, before, "nothing written on failure")
  }

  func testSummaryPrintsShapesAndCounts() throws {
    let model = try Models.make("cnn", inputShape: [1, 28, 28], classes: 10, seed: 0)
    let text = try model.summary(inputShape: [1, 28, 28])
    XCTAssertTrue(text.contains("(conv1) Conv2d(1, 32, kernel: 3)  -> [1, 32, 26, 26]  320 params"), text)
    XCTAssertTrue(text.contains("(flatten) Flatten  -> [1, 9216]"), text)
    XCTAssertTrue(text.contains("(fc2) Linear(128, 10)  -> [1, 10]  1,290 params"), text)
    XCTAssertTrue(text.contains("total parameters: 1,199,882"), text)
    XCTAssertTrue("\(model)".hasPrefix("Sequential"), "\(model)")
    XCTAssertTrue(model.isTraining, "summary restores the mode")
    XCTAssertThrowsError(try model.summary(inputShape: [3, 28, 28]))
    let resnet = try Models.make("resnet18", inputShape: [3, 16, 16], classes: 10, seed: 0)
    let tree = try resnet.summary(inputShape: [3, 16, 16])
    XCTAssertTrue(tree.contains("(layer4) Sequential  -> [1, 512, 2, 2]"), tree)
    XCTAssertTrue(tree.contains("(downsample) Sequential"), tree)
  }

  func testImageNetStemShapes() throws {
    var options = Models.Options()
    options.resnetStem = .imagenet
    let model = try Models.make("resnet18", inputShape: [3, 32, 32], classes: 5, seed: 0, options: options)
    XCTAssertEqual(model.parameter(named: "conv1.weight")?.shape, [64, 3, 7, 7])
    // torchvision's Kaiming-normal (fan-out) convolutions: mean 0, std √(2 / (512·3·3)).
    let w = try XCTUnwrap(model.parameter(named: "layer4.1.conv2.weight")).value
    let mean = try w.mean().storage[0]
    let std = try w.variance().storage[0].squareRoot()
    XCTAssertEqual(std, (2 / Float(512 * 9)).squareRoot(), accuracy: 0.01 * std)
    XCTAssertLessThan(abs(mean), 0.01 * std)
    let input = Variable(Tensor(repeating: 0.1, shape: [1, 3, 32, 32]))
    let out = try model.inEvaluationMode { try model(input) }
    XCTAssertEqual(out.shape, [1, 5])
    XCTAssertEqual(model.namedModules().first { $0.0 == "maxpool" }?.1.lastOutputShape, [1, 64, 8, 8])
  }

  func testDropoutTrainAndEval() throws {
    var rng = RandomGenerator(seed: 3)
    let d = try Dropout(p: 0.5, rng: &rng)
    let x = Variable(Tensor(repeating: 1, shape: [1000]))
    let y = try d(x).value.storage
    let zeros = y.filter { $0 == 0 }.count
    XCTAssertTrue((400...600).contains(zeros), "\(zeros) zeros")
    XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
    d.eval()
    XCTAssertEqual(try d(x).value.storage, x.value.storage)
  }
}
