import XCTest

@testable import Core

/// Forward and backward values against PyTorch on every case of `ops.safetensors`.
final class TorchFixtureTests: XCTestCase {
  var ops: SafeTensorFile!

  override func setUpWithError() throws {
    ops = try Fixtures.load("ops.safetensors")
  }

  func v(_ name: String, grad: Bool = true) throws -> Variable {
    Variable(try ops.float(name), requiresGrad: grad)
  }

  func testConv2d() throws {
    for (c, stride, padding) in [("conv2d_s1p1", 1, 1), ("conv2d_s2p0", 2, 0)] {
      let (x, w, b) = (try v("\(c).x"), try v("\(c).weight"), try v("\(c).bias"))
      let y = try Functional.conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
      Fixtures.assertClose(y.value, try ops.float("\(c).y"), "\(c) y")
      try y.backward(ops.float("\(c).grad_y"))
      Fixtures.assertClose(x.grad, try ops.float("\(c).grad_x"), "\(c) grad_x")
      Fixtures.assertClose(w.grad, try ops.float("\(c).grad_weight"), "\(c) grad_weight")
      Fixtures.assertClose(b.grad, try ops.float("\(c).grad_bias"), "\(c) grad_bias")
    }
  }

  func testLinear() throws {
    let (x, w, b) = (try v("linear.x"), try v("linear.weight"), try v("linear.bias"))
    let y = try Functional.linear(x, weight: w, bias: b)
    Fixtures.assertClose(y.value, try ops.float("linear.y"), "linear y")
    try y.backward(ops.float("linear.grad_y"))
    Fixtures.assertClose(x.grad, try ops.float("linear.grad_x"), "linear grad_x")
    Fixtures.assertClose(w.grad, try ops.float("linear.grad_weight"), "linear grad_weight")
    Fixtures.assertClose(b.grad, try ops.float("linear.grad_bias"), "linear grad_bias")
  }

  func testPooling() throws {
    let x = try v("maxpool2.x")
    let y = try Functional.maxPool2d(x, kernel: 2, stride: 2)
    Fixtures.assertClose(y.value, try ops.float("maxpool2.y"), "maxpool y")
    try y.backward(ops.float("maxpool2.grad_y"))
    Fixtures.assertClose(x.grad, try ops.float("maxpool2.grad_x"), "maxpool grad_x")

    let x2 = try v("avgpool1.x")
    let y2 = try Functional.adaptiveAvgPool1x1(x2)
    Fixtures.assertClose(y2.value, try ops.float("avgpool1.y"), "avgpool y")
    try y2.backward(ops.float("avgpool1.grad_y"))
    Fixtures.assertClose(x2.grad, try ops.float("avgpool1.grad_x"), "avgpool grad_x")
  }

  func testBatchNormTrainThenEval() throws {
    let p = "batchnorm_train"
    let (w, b) = (try v("\(p).weight"), try v("\(p).bias"))
    var rm = try ops.float("\(p).running_mean_before")
    var rv = try ops.float("\(p).running_var_before")
    let x = try v("\(p).x")
    let y = try Functional.batchNorm(
      x, weight: w, bias: b, runningMean: &rm, runningVar: &rv, training: true, momentum: 0.1,
      eps: 1e-5)
    Fixtures.assertClose(y.value, try ops.float("\(p).y"), "bn train y")
    Fixtures.assertClose(rm, try ops.float("\(p).running_mean_after"), "bn running_mean")
    Fixtures.assertClose(rv, try ops.float("\(p).running_var_after"), "bn running_var")
    try y.backward(ops.float("\(p).grad_y"))
    Fixtures.assertClose(x.grad, try ops.float("\(p).grad_x"), "bn train grad_x")
    Fixtures.assertClose(w.grad, try ops.float("\(p).grad_weight"), "bn grad_weight")
    Fixtures.assertClose(b.grad, try ops.float("\(p).grad_bias"), "bn grad_bias")

    // Eval mode uses train's parameters and the running statistics after the update.
    let xe = try v("batchnorm_eval.x")
    let ye = try Functional.batchNorm(
      xe, weight: w, bias: b, runningMean: &rm, runningVar: &rv, training: false)
    Fixtures.assertClose(ye.value, try ops.float("batchnorm_eval.y"), "bn eval y")
    Fixtures.assertClose(rm, try ops.float("\(p).running_mean_after"), "eval leaves running_mean")
    try ye.backward(ops.float("batchnorm_eval.grad_y"))
    Fixtures.assertClose(xe.grad, try ops.float("batchnorm_eval.grad_x"), "bn eval grad_x")
  }

  func testCrossEntropy() throws {
    let logits = try v("cross_entropy.logits")
    let targets = try ops.ints("cross_entropy.target")
    let loss = try Functional.crossEntropy(logits, targets: targets)
    Fixtures.assertClose(try loss.value.reshaped([1]), try ops.float("cross_entropy.loss"), "ce loss")
    try loss.backward()
    Fixtures.assertClose(logits.grad, try ops.float("cross_entropy.grad_logits"), "ce grad")
  }

  func testLogSoftmax() throws {
    let x = try v("log_softmax.x")
    let y = try Functional.logSoftmax(x, axis: 1)
    Fixtures.assertClose(y.value, try ops.float("log_softmax.y"), "log_softmax y")
    try y.backward(ops.float("log_softmax.grad_y"))
    Fixtures.assertClose(x.grad, try ops.float("log_softmax.grad_x"), "log_softmax grad_x")
  }

  func testKLBatchMean() throws {
    let s = try v("kl_batchmean.student_logits")
    let t = try v("kl_batchmean.teacher_logits", grad: false)
    let loss = try Functional.klDivLogits(student: s, teacher: t)
    Fixtures.assertClose(try loss.value.reshaped([1]), try ops.float("kl_batchmean.loss"), "kl loss")
    try loss.backward()
    Fixtures.assertClose(s.grad, try ops.float("kl_batchmean.grad_student_logits"), "kl grad")
  }
}
