import XCTest

@testable import Core

/// The small problems of the second-order tests, built exactly as
/// `Tests/Fixtures/secondorder/reference.py` builds them: parameters and inputs from `value`,
/// multiples of 1/64, so Swift and NumPy see identical numbers.
enum SecondOrderProblems {
  /// ((7k + 13s) mod 17 − 8)/16 + ((5k + 3s) mod 11 − 5)/64, as the reference script.
  static func value(_ k: Int, _ salt: Int) -> Double {
    Double((k * 7 + salt * 13) % 17 - 8) / 16 + Double((k * 5 + salt * 3) % 11 - 5) / 64
  }

  static func fill(_ shape: [Int], salt: Int) -> Tensor {
    let n = Tensor.count(of: shape)
    return Tensor(shape: shape, storage: (0..<n).map { Float(value($0, salt)) })
  }

  static func vector(_ n: Int, salt: Int) -> [Double] { (0..<n).map { value($0, salt) } }

  /// 4 → 5 tanh → 3 (fc1, act1, fc2), eval mode, with 6 samples and labels i mod 3.
  static func mlp() throws -> (model: Sequential, x: Tensor, targets: [Int]) {
    var rng = RandomGenerator(seed: 0)
    let model = try Models.mlp(inputFeatures: 4, classes: 3, hidden: [5], activation: .tanh, rng: &rng)
    for (i, p) in model.parameters().enumerated() { p.value = fill(p.value.shape, salt: i) }
    model.eval()
    return (model, fill([6, 4], salt: 100), (0..<6).map { $0 % 3 })
  }

  /// conv (1 → 2, 3×3) → tanh → flatten → fc (8 → 3) on 3 images of 4×4, labels [2, 0, 1].
  static func conv() throws -> (model: Sequential, x: Tensor, targets: [Int]) {
    var rng = RandomGenerator(seed: 0)
    let model = try Sequential(named: [
      ("conv", try Conv2d(1, 2, kernelSize: 3, rng: &rng)), ("act", Tanh()), ("flatten", Flatten()),
      ("fc", try Linear(8, 3, rng: &rng)),
    ])
    for (i, p) in model.parameters().enumerated() { p.value = fill(p.value.shape, salt: 10 + i) }
    model.eval()
    return (model, fill([3, 1, 4, 4], salt: 101), [2, 0, 1])
  }

  /// Binary logistic regression, 32 samples × 6 features, labels ±1, loss
  /// mean log(1 + exp(−y·z)) + λ/2 (‖w‖² + b²) with λ = 0.01.
  struct LogisticRegression {
    let model: Linear
    let x: Tensor
    let y: [Double]
    let lambda = 0.01

    init() throws {
      var rng = RandomGenerator(seed: 0)
      model = try Linear(6, 1, rng: &rng)
      model.weight.value = SecondOrderProblems.fill([1, 6], salt: 20)
      model.bias!.value = SecondOrderProblems.fill([1], salt: 21)
      x = SecondOrderProblems.fill([32, 6], salt: 102)
      let xs = x.storage
      y = (0..<32).map { i in (i % 3 == 0 ? 1.0 : -1.0) * (xs[i * 6] > 0 ? 1.0 : -1.0) }
    }

    func loss() throws -> Variable {
      let z = try model(Variable(x)).reshaped([32])
      let yz = try z * Variable(Tensor(y.map { Float($0) }))
      let data = try ((-yz).exp() + 1).log().mean()
      let w = model.weight, b = model.bias!
      let reg = try ((w * w).sum() + (b * b).sum()) * Float(lambda / 2)
      return try data + reg
    }

    /// (1/N) Xᵀ diag(σ(z)(1 − σ(z))) X + λI over [w, b], in Float64.
    func exactHessian() -> DenseMatrix {
      let d = 7
      var h = DenseMatrix.identity(d)
      for i in 0..<d { h[i, i] = lambda }
      let w = model.weight.value.storage.map { Double($0) }
      let b = Double(model.bias!.value.storage[0])
      for n in 0..<32 {
        let row = (0..<6).map { Double(x.storage[n * 6 + $0]) } + [1]
        let z = zip(row.prefix(6), w).reduce(b) { $0 + $1.0 * $1.1 }
        let s = 1 / (1 + libmExp(-z))
        let c = s * (1 - s) / 32
        for i in 0..<d { for j in 0..<d { h[i, j] += c * row[i] * row[j] } }
      }
      return h
    }
  }

  /// The mean cross-entropy of `model` on (x, targets), for objectives.
  static func crossEntropy(_ model: Module, _ x: Tensor, _ targets: [Int]) -> () throws -> Variable {
    { try Functional.crossEntropy(model(Variable(x)), targets: targets) }
  }
}

/// ‖a − b‖₂ / ‖b‖₂.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  let d = zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
  let s = b.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
  return s == 0 ? d : d / s
}
