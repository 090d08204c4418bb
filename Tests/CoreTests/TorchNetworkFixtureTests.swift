import XCTest

@testable import Core

/// Whole networks written with `Functional` against PyTorch: the MNIST CNN (forward, loss,
/// every parameter gradient) and a ResNet BasicBlock in training mode (output, input and
/// parameter gradients, running statistics). Tolerance 1e-4 relative, as for single ops.
final class TorchNetworkFixtureTests: XCTestCase {
  func testMnistCNN() throws {
    let f = try Fixtures.load("cnn.safetensors")
    var p: [String: Variable] = [:]
    for n in ["conv1", "conv2", "fc1", "fc2"] {
      for k in ["weight", "bias"] {
        p["\(n).\(k)"] = Variable(try f.float("params.\(n).\(k)"), requiresGrad: true)
      }
    }
    let x = Variable(try f.float("input"), requiresGrad: true)
    var h = try Functional.conv2d(x, weight: p["conv1.weight"]!, bias: p["conv1.bias"]!).relu()
    h = try Functional.conv2d(h, weight: p["conv2.weight"]!, bias: p["conv2.bias"]!).relu()
    h = try Functional.maxPool2d(h, kernel: 2).flattened()
    h = try Functional.linear(h, weight: p["fc1.weight"]!, bias: p["fc1.bias"]!).relu()
    let logits = try Functional.linear(h, weight: p["fc2.weight"]!, bias: p["fc2.bias"]!)
    Fixtures.assertClose(logits.value, try f.float("logits"), "logits")
    let loss = try Functional.crossEntropy(logits, targets: f.ints("target"))
    Fixtures.assertClose(try loss.value.reshaped([1]), try f.float("loss"), "loss")
    try loss.backward()
    for (name, v) in p {
      Fixtures.assertClose(v.grad, try f.float("grad.\(name)"), "grad.\(name)")
    }
    XCTAssertNotNil(x.grad, "gradient with respect to the input")
  }

  func testBasicBlockTrainMode() throws {
    let f = try Fixtures.load("basicblock.safetensors")
    func param(_ n: String) throws -> Variable {
      Variable(try f.float("params.\(n)"), requiresGrad: true)
    }
    let (c1, c2, sc) = (try param("conv1.weight"), try param("conv2.weight"), try param("downsample.0.weight"))
    var bnp: [String: (Variable, Variable, Tensor, Tensor)] = [:]
    for bn in ["bn1", "bn2", "downsample.1"] {
      bnp[bn] = (
        try param("\(bn).weight"), try param("\(bn).bias"), try f.float("params.\(bn).running_mean"),
        try f.float("params.\(bn).running_var")
      )
    }
    func norm(_ x: Variable, _ bn: String) throws -> Variable {
      var (w, b, rm, rv) = bnp[bn]!
      let y = try Functional.batchNorm(
        x, weight: w, bias: b, runningMean: &rm, runningVar: &rv, training: true)
      bnp[bn] = (w, b, rm, rv)
      return y
    }
    let x = Variable(try f.float("input"), requiresGrad: true)
    var h = try norm(Functional.conv2d(x, weight: c1, bias: nil, stride: 2, padding: 1), "bn1").relu()
    h = try norm(Functional.conv2d(h, weight: c2, bias: nil, padding: 1), "bn2")
    let s = try norm(Functional.conv2d(x, weight: sc, bias: nil, stride: 2), "downsample.1")
    let out = try (h + s).relu()
    Fixtures.assertClose(out.value, try f.float("output"), "output")
    try out.backward(f.float("grad_output"))
    Fixtures.assertClose(x.grad, try f.float("grad_input"), "grad_input")
    Fixtures.assertClose(c1.grad, try f.float("grad.conv1.weight"), "grad conv1")
    Fixtures.assertClose(c2.grad, try f.float("grad.conv2.weight"), "grad conv2")
    Fixtures.assertClose(sc.grad, try f.float("grad.downsample.0.weight"), "grad downsample conv")
    for bn in ["bn1", "bn2", "downsample.1"] {
      let (w, b, rm, rv) = bnp[bn]!
      Fixtures.assertClose(w.grad, try f.float("grad.\(bn).weight"), "grad \(bn).weight")
      Fixtures.assertClose(b.grad, try f.float("grad.\(bn).bias"), "grad \(bn).bias")
      Fixtures.assertClose(rm, try f.float("after_forward.\(bn).running_mean"), "\(bn) running_mean")
      Fixtures.assertClose(rv, try f.float("after_forward.\(bn).running_var"), "\(bn) running_var")
    }
  }
}
