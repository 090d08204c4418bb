/// The last m curvature pairs (s = Δw, y = Δg) of an optimisation trajectory, and the
/// L-BFGS approximations they define, in Float64:
///
/// - `inverseHessianTimes(v)`: H·v ≈ ∇²L⁻¹·v by the two-loop recursion (Nocedal & Wright,
///   Algorithm 7.4), for quasi-Newton steps;
/// - `hessianTimes(v)`: B·v ≈ ∇²L·v by the compact representation (Byrd, Nocedal & Schnabel
///   1994, Theorem 2.3) B = σI − [Y σS] M⁻¹ [Yᵀ; σSᵀ] with M = [[−D, Lᵀ], [L, σSᵀS]], D the
///   diagonal of SᵀY and L its strictly lower triangle: DeltaGrad's Hessian-vector product.
///
/// Both start from B₀ = σI (H₀ = I/σ) with σ from the newest pair, so H = B⁻¹ exactly. With
/// no pairs both are the identity. A pair with sᵀy ≤ 1e-12·‖s‖‖y‖ (no positive curvature)
/// or one that makes M singular is rejected: `append` returns false and changes nothing.
public struct LBFGSMemory: Sendable {
  /// How σ (B₀ = σI) is taken from the newest pair.
  public enum InitialScaling: String, Sendable, CaseIterable {
    /// σ = sᵀy / sᵀs (DeltaGrad's choice).
    case stepCurvature
    /// σ = yᵀy / sᵀy (Nocedal & Wright eq. 7.20, H₀ = sᵀy / yᵀy · I).
    case gradientCurvature
  }

  /// The most pairs kept (m); older ones are dropped.
  public let capacity: Int
  /// The choice of σ.
  public let scaling: InitialScaling
  /// The steps s, oldest first.
  public private(set) var steps: [[Double]] = []
  /// The gradient changes y, oldest first.
  public private(set) var gradientChanges: [[Double]] = []
  private var middle: LUFactorization?

  /// An empty memory of `capacity` pairs (DeltaGrad's m = 2 by default).
  public init(capacity: Int = 2, scaling: InitialScaling = .stepCurvature) throws {
    guard capacity > 0 else { throw SecondOrderError.invalidArgument("L-BFGS capacity \(capacity)") }
    self.capacity = capacity
    self.scaling = scaling
  }

  /// The number of pairs held.
  public var count: Int { steps.count }

  /// σ of B₀ = σI (1 with no pairs).
  public var sigma: Double {
    guard let s = steps.last, let y = gradientChanges.last else { return 1 }
    let sy = Float64Vectors.dot(s, y)
    switch scaling {
    case .stepCurvature: return sy / Float64Vectors.dot(s, s)
    case .gradientCurvature: return Float64Vectors.dot(y, y) / sy
    }
  }

  /// Adds the pair (s, y), dropping the oldest beyond capacity. Returns false (and keeps the
  /// memory as it was) for a pair without positive curvature. Throws for mismatched lengths
  /// or non-finite values.
  @discardableResult
  public mutating func append(step s: [Double], gradientChange y: [Double]) throws -> Bool {
    guard s.count == y.count, s.count > 0 else {
      throw SecondOrderError.dimensionMismatch("an L-BFGS pair of \(s.count) and \(y.count) values")
    }
    if let d = steps.first?.count, d != s.count {
      throw SecondOrderError.dimensionMismatch("an L-BFGS pair of \(s.count) values for a memory of \(d)")
    }
    guard s.allSatisfy({ $0.isFinite }), y.allSatisfy({ $0.isFinite }) else {
      throw SecondOrderError.invalidArgument("an L-BFGS pair with non-finite values")
    }
    let sy = Float64Vectors.dot(s, y)
    guard sy > 1e-12 * Float64Vectors.norm(s) * Float64Vectors.norm(y) else { return false }
    var next = self
    next.steps.append(s)
    next.gradientChanges.append(y)
    if next.steps.count > capacity {
      next.steps.removeFirst()
      next.gradientChanges.removeFirst()
    }
    guard let m = try? next.middleFactorization() else { return false }
    next.middle = m
    self = next
    return true
  }

  /// Forgets every pair.
  public mutating func removeAll() {
    steps = []
    gradientChanges = []
    middle = nil
  }

  /// H·v by the two-loop recursion.
  public func inverseHessianTimes(_ v: [Double]) throws -> [Double] {
    try check(v)
    var q = v
    let k = steps.count
    var alpha = [Double](repeating: 0, count: k)
    var rho = [Double](repeating: 0, count: k)
    for i in stride(from: k - 1, through: 0, by: -1) {
      rho[i] = 1 / Float64Vectors.dot(steps[i], gradientChanges[i])
      alpha[i] = rho[i] * Float64Vectors.dot(steps[i], q)
      for j in q.indices { q[j] -= alpha[i] * gradientChanges[i][j] }
    }
    let h0 = 1 / sigma
    var r = q.map { $0 * h0 }
    for i in 0..<k {
      let beta = rho[i] * Float64Vectors.dot(gradientChanges[i], r)
      for j in r.indices { r[j] += steps[i][j] * (alpha[i] - beta) }
    }
    return r
  }

  /// B·v by the compact representation.
  public func hessianTimes(_ v: [Double]) throws -> [Double] {
    try check(v)
    guard let middle else { return v }
    let k = steps.count
    let sigma = self.sigma
    var u = [Double](repeating: 0, count: 2 * k)
    for i in 0..<k {
      u[i] = Float64Vectors.dot(gradientChanges[i], v)
      u[k + i] = sigma * Float64Vectors.dot(steps[i], v)
    }
    let p = try middle.solve(u)
    var out = v.map { sigma * $0 }
    for i in 0..<k {
      for j in out.indices {
        out[j] -= gradientChanges[i][j] * p[i] + sigma * steps[i][j] * p[k + i]
      }
    }
    return out
  }

  /// M = [[−D, Lᵀ], [L, σSᵀS]] factored.
  private func middleFactorization() throws -> LUFactorization {
    let k = steps.count
    let sigma = self.sigma
    var m = try DenseMatrix(rows: 2 * k, columns: 2 * k)
    for i in 0..<k {
      for j in 0..<k {
        let sy = Float64Vectors.dot(steps[i], gradientChanges[j])
        if i == j { m[i, i] = -sy }
        if i > j {
          m[k + i, j] = sy  // L
          m[j, k + i] = sy  // Lᵀ
        }
        m[k + i, k + j] = sigma * Float64Vectors.dot(steps[i], steps[j])
      }
    }
    return try LUFactorization(m)
  }

  private func check(_ v: [Double]) throws {
    if let d = steps.first?.count, d != v.count {
      throw SecondOrderError.dimensionMismatch("a vector of \(v.count) for an L-BFGS memory of \(d)")
    }
  }
}
