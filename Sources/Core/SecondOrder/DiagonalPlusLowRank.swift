/// The P×P matrix λ·I + Σ_j c_j·u_j·u_jᵀ, from r vectors u_j (the rows of a Float32 `[r, P]`
/// tensor) and coefficients c_j of either sign: a damped Gauss–Newton or empirical Fisher
/// matrix (u_j per-sample gradient rows, c_j = 1/N), a secant Hessian estimate (u = Δg,
/// c = 1/(Δgᵀ·Δw)), or a difference of such (Sekhari et al.'s (n·H_D − H_x*)/(n − m)).
///
/// Solves go the cheaper way: with P ≤ r the matrix is formed (P×P) and factorised; with P > r
/// through the Woodbury identity
///
///     (λI + Uᵀ C U)⁻¹ b = (b − Uᵀ (λ·C⁻¹ + U Uᵀ)⁻¹ U b) / λ
///
/// which factorises an r×r matrix. Both use Cholesky when every c_j > 0 (the matrix is then
/// positive definite for λ > 0) and LU otherwise; a singular system throws
/// `SecondOrderError.singular` (the message names the dimensions), as does λ = 0 on the
/// Woodbury path.
public struct DiagonalPlusLowRank {
  /// λ.
  public let lambda: Double
  /// The vectors u_j as rows, `[r, P]`.
  public let rows: Tensor
  /// c_j, one per row.
  public let coefficients: [Double]
  /// P.
  public var dimension: Int { rows.shape[1] }

  /// The matrix λI + Σ c_j u_j u_jᵀ; throws for a non-2-D `rows`, a coefficient count that is
  /// not r, a zero or non-finite coefficient, or a non-finite λ.
  public init(lambda: Double, rows: Tensor, coefficients: [Double]) throws {
    guard rows.rank == 2 else {
      throw SecondOrderError.dimensionMismatch("low-rank vectors of shape \(rows.shape) (need [r, P])")
    }
    guard coefficients.count == rows.shape[0] else {
      throw SecondOrderError.dimensionMismatch("\(coefficients.count) coefficients for \(rows.shape[0]) vectors")
    }
    guard lambda.isFinite, coefficients.allSatisfy({ $0.isFinite && $0 != 0 }) else {
      throw SecondOrderError.invalidArgument("λ and every coefficient must be finite, coefficients non-zero")
    }
    self.lambda = lambda
    self.rows = rows
    self.coefficients = coefficients
  }

  /// The formed P×P matrix (for small P and for tests).
  public func dense() throws -> DenseMatrix {
    let scaled = try scaledRows()
    // Σ c_j u_j u_jᵀ = Uᵀ C U: the Gram of rows scaled by √|c_j|, minus twice the negative part.
    var m = try DenseMatrix.gram(scaled.positive)
    if let negative = scaled.negative {
      let n = try DenseMatrix.gram(negative)
      for i in m.storage.indices { m.storage[i] -= n.storage[i] }
    }
    m.addToDiagonal(lambda)
    return m
  }

  /// (λI + Σ c_j u_j u_jᵀ)·v.
  public func times(_ v: [Double]) throws -> [Double] {
    let u = try projections(v)
    var out = v.map { lambda * $0 }
    let p = dimension
    rows.storage.withUnsafeBufferPointer { r in
      for j in coefficients.indices {
        let a = coefficients[j] * u[j]
        for i in 0..<p { out[i] += a * Double(r[j * p + i]) }
      }
    }
    return out
  }

  /// x with (λI + Σ c_j u_j u_jᵀ)·x = b.
  public func solve(_ b: [Double]) throws -> [Double] {
    let p = dimension
    guard b.count == p else {
      throw SecondOrderError.dimensionMismatch("solve a \(p)×\(p) system with \(b.count) values")
    }
    let r = coefficients.count
    let definite = lambda > 0 && coefficients.allSatisfy { $0 > 0 }
    if p <= r || r == 0 {
      let m = try dense()
      return definite ? try CholeskyFactorization(m).solve(b) : try LUFactorization(m).solve(b)
    }
    guard lambda != 0 else {
      throw SecondOrderError.singular("λ = 0 with \(r) vectors in \(p) dimensions: the matrix has rank ≤ \(r) < \(p)")
    }
    // M = λ·C⁻¹ + U·Uᵀ (r × r), the Gram of the columns of Uᵀ.
    var m = try DenseMatrix.gram(try rows.transposed())
    for j in 0..<r { m[j, j] += lambda / coefficients[j] }
    let ub = try projections(b)
    let z = definite ? try CholeskyFactorization(m).solve(ub) : try LUFactorization(m).solve(ub)
    var x = b
    rows.storage.withUnsafeBufferPointer { u in
      for j in 0..<r {
        let a = z[j]
        for i in 0..<p { x[i] -= a * Double(u[j * p + i]) }
      }
    }
    return x.map { $0 / lambda }
  }

  /// U·v: each row's inner product with `v`.
  private func projections(_ v: [Double]) throws -> [Double] {
    let p = dimension
    guard v.count == p else {
      throw SecondOrderError.dimensionMismatch("a \(p)-dimensional operator applied to \(v.count) values")
    }
    return rows.storage.withUnsafeBufferPointer { u in
      (0..<coefficients.count).map { j in
        var s = 0.0
        for i in 0..<p { s += Double(u[j * p + i]) * v[i] }
        return s
      }
    }
  }

  /// The rows scaled by √|c_j|, split by the sign of c_j (nil when none is negative).
  private func scaledRows() throws -> (positive: Tensor, negative: Tensor?) {
    let p = dimension
    var pos = [Float](repeating: 0, count: rows.count)
    var neg = [Float](repeating: 0, count: rows.count)
    var anyNegative = false
    for (j, c) in coefficients.enumerated() {
      let s = Float(abs(c).squareRoot())
      for i in 0..<p {
        let v = s * rows.storage[j * p + i]
        if c > 0 { pos[j * p + i] = v } else { neg[j * p + i] = v }
      }
      if c < 0 { anyNegative = true }
    }
    return (
      Tensor(shape: rows.shape, storage: pos), anyNegative ? Tensor(shape: rows.shape, storage: neg) : nil
    )
  }
}
