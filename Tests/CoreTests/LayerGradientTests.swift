import XCTest

@testable import Core

/// Finite-difference checks of every layer's gradients (inputs and parameters), on small sizes.
final class LayerGradientTests: XCTestCase {
  /// Compares backward() with central differences of L = Σ y·r (r random), evaluated in Double
  /// on fresh clones of `template` (so dropout masks and running statistics repeat exactly).
  /// A coordinate passes when the difference with step `eps` or `eps / 10` agrees: a ReLU kink
  /// within `eps` of a probe spoils one step but rarely both.
  private func checkGradients(
    _ template: Module, inputShape: [Int], eps: Float = 1e-2, tolerance: Double = 1e-2,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    var rng = RandomGenerator(seed: 11)
    let input = Tensor.normal(inputShape, rng: &rng)
    let model = template.clone()
    let x = Variable(input, requiresGrad: true)
    let y = try model(x)
    let r = Tensor.normal(y.shape, rng: &rng)
    try y.backward(r)

    func loss(_ xv: Tensor, _ edit: (Module) -> Void) throws -> Double {
      let m = template.clone()
      edit(m)
      let out = try m(Variable(xv)).value.storage
      return zip(out, r.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    func compare(_ analytic: Float, _ what: String, _ shifted: (Float) throws -> Double) throws {
      var numerics: [Double] = []
      for h in [eps, eps / 10] {
        let numeric = (try shifted(h) - shifted(-h)) / (2 * Double(h))
        numerics.append(numeric)
        if abs(numeric - Double(analytic)) <= tolerance * max(1, abs(numeric)) { return }
      }
      XCTFail("\(what): analytic \(analytic), numeric \(numerics)", file: file, line: line)
    }
    let xGrad = try XCTUnwrap(x.grad, "input gradient", file: file, line: line)
    for i in probe(input.count, &rng) {
      try compare(xGrad.storage[i], "d/dx[\(i)]") { h in
        var shifted = input
        shifted.storage[i] += h
        return try loss(shifted) { _ in }
      }
    }
    for (name, param) in model.namedParameters() {
      let g = try XCTUnwrap(param.grad, "grad of \(name)", file: file, line: line)
      for i in probe(param.value.count, &rng) {
        try compare(g.storage[i], "d/d\(name)[\(i)]") { h in
          try loss(input) { $0.parameter(named: name)!.value.storage[i] += h }
        }
      }
    }
  }

  /// Up to 10 positions to probe.
  private func probe(_ count: Int, _ rng: inout RandomGenerator) -> [Int] {
    count <= 10 ? Array(0..<count) : (0..<10).map { _ in rng.nextInt(below: count) }
  }

  func testLinear() throws {
    var rng = RandomGenerator(seed: 1)
    try checkGradients(try Linear(5, 3, rng: &rng), inputShape: [4, 5])
  }

  func testConv2dStridePadding() throws {
    var rng = RandomGenerator(seed: 1)
    try checkGradients(
      try Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, rng: &rng), inputShape: [2, 2, 5, 5])
  }

  func testBatchNormTrainingAndEval() throws {
    let bn = try BatchNorm2d(3)
    bn.weight.value = Tensor([0.5, 1.5, -1])
    bn.bias.value = Tensor([0.1, -0.2, 0.3])
    try checkGradients(bn, inputShape: [4, 3, 2, 2], eps: 1e-2, tolerance: 2e-2)
    bn.eval()
    try checkGradients(bn, inputShape: [4, 3, 2, 2])
  }

  func testActivationsAndPooling() throws {
    try checkGradients(ReLU(), inputShape: [3, 7], eps: 1e-3)
    try checkGradients(Tanh(), inputShape: [3, 7])
    try checkGradients(try MaxPool2d(kernelSize: 2), inputShape: [2, 2, 4, 4], eps: 1e-3)
    try checkGradients(try AvgPool2d(kernelSize: 2), inputShape: [2, 2, 4, 4])
    try checkGradients(AdaptiveAvgPool2d(), inputShape: [2, 3, 3, 3])
    try checkGradients(Flatten(), inputShape: [2, 3, 2, 2])
  }

  func testDropoutAndSequential() throws {
    var rng = RandomGenerator(seed: 4)
    try checkGradients(try Dropout(p: 0.3, rng: &rng), inputShape: [4, 6])
    let seq = Sequential([
      try Conv2d(1, 2, kernelSize: 3, padding: 1, rng: &rng), Tanh(), Flatten(),
      try Linear(2 * 4 * 4, 3, rng: &rng),
    ])
    try checkGradients(seq, inputShape: [2, 1, 4, 4])
  }

  func testBasicBlock() throws {
    var rng = RandomGenerator(seed: 4)
    let block = try BasicBlock(2, 3, stride: 2, rng: &rng)
    try checkGradients(block, inputShape: [4, 2, 6, 6], eps: 1e-3, tolerance: 2e-2)
  }
}
