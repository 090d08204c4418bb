import Core
import Foundation
import Methods

/// L2-regularised two-class logistic regression over fixed features — certified removal's
/// setting (Guo et al., 2020) — with exact optima computed here in Float64 by Newton's method,
/// independently of the methods under test.
///
/// The model is a bias-free `Linear(d, 2)`: θ = [w₀; w₁] (Lethe's `[out, in]` weight, row by
/// row), logits z_k = w_kᵀx, loss = mean cross-entropy + λ/2·‖θ‖². Its logit difference is
/// aᵀθ with a = [x; −x]; rows are scaled to ‖x‖ = 1/√2, so ‖a‖ = 1 as Guo et al.'s bound assumes.
public struct ConvexLogistic {
  /// n × d features.
  public let features: [[Double]]
  /// 0 or 1 per sample.
  public let labels: [Int]
  /// λ.
  public let lambda: Double
  /// The data as a Lethe source.
  public let source: Dataset

  /// `n` samples of `d` Gaussian features with noisy labels from a random linear rule.
  public init(n: Int, d: Int, lambda: Double, seed: UInt64) throws {
    var rng = RandomGenerator(seed: seed)
    let truth = (0..<d).map { _ in Double(rng.nextNormal()) }
    var xs: [[Double]] = []
    var ys: [Int] = []
    for _ in 0..<n {
      var x = (0..<d).map { _ in Double(rng.nextNormal()) }
      let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
      x = x.map { $0 / norm / 2.0.squareRoot() }
      let margin = 6 * zip(truth, x).reduce(0) { $0 + $1.0 * $1.1 }
      ys.append(Double(rng.nextUniform()) < 1 / (1 + Foundation.exp(-margin)) ? 1 : 0)
      xs.append(x)
    }
    features = xs
    labels = ys
    self.lambda = lambda
    source = try Dataset(
      name: "convex logistic (synthetic)", sampleShape: [d], classCount: 2, labels: ys.map { Int32($0) },
      storage: .floats(xs.flatMap { $0.map { Float($0) } }), isSynthetic: true, origin: "ConvexLogistic")
  }

  var d: Int { features[0].count }

  /// P(class 0 | x) and the logit difference a ᵀθ.
  func probability0(_ theta: [Double], _ i: Int) -> Double {
    var z = 0.0
    for j in 0..<d { z += (theta[j] - theta[d + j]) * features[i][j] }
    return 1 / (1 + Foundation.exp(-z))
  }

  /// Σ_{i ∈ indices} ∇ℓ_i + λ·|indices|·θ: the gradient of the summed objective (Guo et al.'s form).
  public func summedGradient(_ theta: [Double], _ indices: [Int]) -> [Double] {
    var g = theta.map { lambda * Double(indices.count) * $0 }
    for i in indices {
      let p0 = probability0(theta, i)
      let r0 = p0 - (labels[i] == 0 ? 1 : 0)
      for j in 0..<d {
        g[j] += r0 * features[i][j]
        g[d + j] -= r0 * features[i][j]
      }
    }
    return g
  }

  /// The minimiser over `indices`, by Newton's method from 0 until the mean gradient is below 1e-13.
  public func optimum(_ indices: [Int]) throws -> [Double] {
    var theta = [Double](repeating: 0, count: 2 * d)
    let n = Double(indices.count)
    for _ in 0..<100 {
      let g = summedGradient(theta, indices).map { $0 / n }
      if g.reduce(0, { $0 + $1 * $1 }).squareRoot() < 1e-13 { break }
      var h = try DenseMatrix(rows: 2 * d, columns: 2 * d)
      for i in indices {
        let p = probability0(theta, i)
        let w = p * (1 - p) / n
        let a = features[i] + features[i].map { -$0 }
        for r in 0..<(2 * d) { for c in 0..<(2 * d) { h[r, c] += w * a[r] * a[c] } }
      }
      h.addToDiagonal(lambda)
      let step = try CholeskyFactorization(h).solve(g)
      for k in theta.indices { theta[k] -= step[k] }
    }
    return theta
  }

  /// A learner holding θ (rounded to Float32).
  public func model(_ theta: [Double]) throws -> ModuleLearner {
    var rng = RandomGenerator(seed: 0)
    let m = Sequential([try Linear(d, 2, bias: false, rng: &rng)])
    try m.setParameterVector(Tensor(shape: [2 * d], storage: theta.map { Float($0) }))
    return ModuleLearner(m, classCount: 2)
  }

  /// Guo et al.'s data-dependent bound on the gradient residual ‖∇L(θ + Δ)‖ of one Newton step
  /// Δ from the optimum: ‖Δ‖·‖AΔ‖·‖A‖₂/4, A the rows a_j = [x_j; −x_j] of `indices`.
  public func residualBound(delta: [Double], _ indices: [Int]) throws -> Double {
    var xtx = try DenseMatrix(rows: d, columns: d)
    var ad = 0.0
    for i in indices {
      var dot = 0.0
      for j in 0..<d { dot += (delta[j] - delta[d + j]) * features[i][j] }
      ad += dot * dot
      for r in 0..<d { for c in 0..<d { xtx[r, c] += features[i][r] * features[i][c] } }
    }
    // ‖A‖₂² = λ_max(AᵀA) = 2·λ_max(XᵀX) for A = [X, −X].
    let spectral = (2 * (try xtx.symmetricEigenvalues().last ?? 0)).squareRoot()
    let norm = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm * ad.squareRoot() * spectral / 4
  }

  /// ‖a − b‖₂.
  public static func distance(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
  }
}
