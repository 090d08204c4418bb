import XCTest

@testable import Core

/// Finite-difference gradient checking for Float32 autograd.
///
/// The scalar checked is L = Σ w ⊙ f(inputs) for a fixed random w, so every output element
/// matters. Analytic gradients come from `backward(w)`; numeric ones from central differences
/// evaluated without graph recording, accumulated in Double.
enum GradCheck {
  /// Fails the test when an analytic gradient of `f` disagrees with central differences.
  static func check(
    _ name: String, _ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3,
    maxProbes: Int = 48, file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Variable]) throws -> Variable
  ) throws {
    let vars = inputs.map { Variable($0, requiresGrad: true) }
    let out = try f(vars)
    var rng = RandomGenerator(seed: 99)
    let w = Tensor.normal(out.shape, rng: &rng)
    try out.backward(w)
    func loss(_ xs: [Tensor]) throws -> Double {
      let y = try GradMode.withoutGrad { try f(xs.map { Variable($0) }) }.value
      var s = 0.0
      for i in 0..<y.count { s += Double(y.storage[i]) * Double(w.storage[i]) }
      return s
    }
    for (k, v) in vars.enumerated() {
      guard let g = v.grad else {
        XCTFail("\(name): no gradient for input \(k)", file: file, line: line)
        continue
      }
      XCTAssertEqual(g.shape, inputs[k].shape, "\(name): gradient shape", file: file, line: line)
      let scale = g.storage.map { Swift.abs($0) }.max() ?? 0
      let n = inputs[k].count
      let step = Swift.max(1, n / maxProbes)
      for j in stride(from: 0, to: n, by: step) {
        var plus = inputs
        var minus = inputs
        plus[k].storage[j] += eps
        minus[k].storage[j] -= eps
        let num = Float((try loss(plus) - loss(minus)) / Double(2 * eps))
        let ana = g.storage[j]
        let tol = atol * (1 + scale) + rtol * Swift.max(Swift.abs(num), Swift.abs(ana))
        if Swift.abs(num - ana) > tol {
          XCTFail(
            "\(name): input \(k) element \(j): analytic \(ana), numeric \(num)", file: file,
            line: line)
          return
        }
      }
    }
  }

  /// A seeded normal tensor.
  static func randn(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.normal(shape, std: scale, rng: &rng)
  }

  /// A seeded normal tensor whose elements keep at least `gap` away from zero (for kinks).
  static func awayFromZero(_ shape: [Int], seed: UInt64, gap: Float = 0.1) -> Tensor {
    var t = randn(shape, seed: seed)
    for i in 0..<t.count { t.storage[i] += t.storage[i] >= 0 ? gap : -gap }
    return t
  }

  /// Distinct values well apart (a shuffled ramp), so maxima never tie within eps.
  static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = Tensor.count(of: shape)
    let p = rng.permutation(n)
    return Tensor(shape: shape, storage: p.map { Float($0) * 0.1 - Float(n) * 0.05 })
  }

  /// Positive values in [lo, lo + 1).
  static func positive(_ shape: [Int], seed: UInt64, lo: Float = 0.5) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: lo, high: lo + 1, rng: &rng)
  }
}
