import XCTest

@testable import Core

/// Lethe's modules and optimisers against PyTorch 2.15 (../shared/fixtures/torch).
final class NNFixtureTests: XCTestCase {
  private func fixtureCNN(_ file: SafeTensorFile) throws -> Module {
    var options = Models.Options()
    options.cnnDropout1 = 0
    options.cnnDropout2 = 0
    let model = try Models.make("cnn", inputShape: [1, 28, 28], classes: 10, seed: 1, options: options)
    try Checkpoint.apply(file, to: model, prefix: "params.", strict: false, fileName: "cnn.safetensors")
    return model
  }

  func testCNNForwardLossGradientsAndTwoSGDSteps() throws {
    let file = try SafeTensors.read(Fixtures.url("cnn.safetensors"))
    let model = try fixtureCNN(file)
    XCTAssertEqual(model.namedParameters().map { $0.0 },
      ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
       "fc2.weight", "fc2.bias"])
    let x = Variable(try file.float("input"))
    let targets = try file.ints("target")
    let logits = try model(x)
    assertClose(logits.value, try file.float("logits"), "logits")
    let loss = try Functional.crossEntropy(logits, targets: targets)
    assertClose(try loss.value.reshaped([1]), try file.float("loss"), "loss")
    try loss.backward()
    for (name, p) in model.namedParameters() {
      assertClose(p.grad, try file.float("grad.\(name)"), "grad.\(name)")
    }
    let sgd = try SGD(
      parameters: model.parameters(), learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
    for step in 1...2 {
      if step == 2 {
        sgd.zeroGrad()
        try Functional.crossEntropy(try model(x), targets: targets).backward()
      }
      let before = model.stateDictionary()
      let reference = step == 1 ? "params." : "after_sgd_step1."
      try sgd.step()
      for (name, p) in model.namedParameters() {
        let expected = try file.float("after_sgd_step\(step).\(name)")
        assertClose(p.value, expected, "step \(step) \(name)")
        // The update itself, so that a small term such as weight decay cannot hide.
        let update = try p.value - before[name]!
        let expectedUpdate = try expected - file.float(reference + name)
        assertClose(update, expectedUpdate, tolerance: 2e-3, "step \(step) update of \(name)")
      }
    }
  }

  func testBasicBlockTrainingModeAgainstTorchvision() throws {
    let file = try SafeTensors.read(Fixtures.url("basicblock.safetensors"))
    var rng = RandomGenerator(seed: 3)
    let block = try BasicBlock(64, 128, stride: 2, rng: &rng)
    try Checkpoint.apply(file, to: block, prefix: "params.", strict: true, fileName: "basicblock")
    let x = Variable(try file.float("input"), requiresGrad: true)
    let y = try block(x)
    assertClose(y.value, try file.float("output"), "output")
    try y.backward(try file.float("grad_output"))
    assertClose(x.grad, try file.float("grad_input"), "grad_input")
    for (name, p) in block.namedParameters() {
      assertClose(p.grad, try file.float("grad.\(name)"), "grad.\(name)")
    }
    for (name, b) in block.namedBuffers() where name.contains("running") {
      assertClose(b.value, try file.float("after_forward.\(name)"), "after_forward.\(name)")
    }
    XCTAssertEqual(block.buffer(named: "bn1.num_batches_tracked")?.value.storage, [1])
  }

  func testAdamAndAdamWMatchPyTorchOverThreeSteps() throws {
    let file = try SafeTensors.read(Fixtures.url("optim.safetensors"))
    for name in ["adam", "adamw"] {
      let p = Variable(try file.float("\(name).initial"), requiresGrad: true)
      let a = try file.float("\(name).a")
      let opt = name == "adam"
        ? try Adam(parameters: [p], learningRate: 1e-2, weightDecay: 1e-3)
        : try Adam.adamW(parameters: [p], learningRate: 1e-2, weightDecay: 1e-2)
      for step in 1...3 {
        opt.zeroGrad()
        let d = try p - Variable(a)
        try (d * d).sum().backward()
        try opt.step()
        assertClose(p.value, try file.float("\(name).after_step\(step)"), tolerance: 1e-5,
          "\(name) step \(step)")
      }
    }
  }

  func testResNet18NamesShapesAndCountEqualTorchvision() throws {
    let url = try Fixtures.url("resnet18_cifar_state_dict.json")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    let expected = json["state_dict"] as! [String: [Int]]
    let model = try Models.make("resnet18", inputShape: [3, 32, 32], classes: 10, seed: 0)
    let state = model.stateDict()
    XCTAssertEqual(Set(state.map { $0.0 }), Set(expected.keys))
    XCTAssertEqual(state.count, expected.count)
    for (name, t) in state { XCTAssertEqual(t.shape, expected[name], name) }
    XCTAssertEqual(model.parameterCount, json["parameters"] as? Int)
    XCTAssertEqual(model.parameterCount, 11_173_962)
  }
}
