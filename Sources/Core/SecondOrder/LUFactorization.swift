import CLAPACK

/// P·A = L·U with partial pivoting for a square Float64 matrix, by LAPACK's `dgetrf` (Debian's
/// OpenBLAS): solves, the inverse, the determinant and a condition estimate.
///
/// For general (non-symmetric) systems such as Linear Filtration's K×K class-mean matrix and
/// L-BFGS's compact middle matrix.
public struct LUFactorization: Sendable, DenseFactorization {
  /// The matrix size n.
  public let dimension: Int
  /// The factors of Aᵀ (the row-major buffer read column-major), as `dgetrf` left them.
  let factors: [Double]
  /// The pivot indices (1-based, LAPACK's).
  let pivots: [Int32]
  /// ‖Aᵀ‖₁ = ‖A‖∞, kept for the condition estimate.
  let norm: Double

  /// Factors `matrix`, which must be square and finite. Throws `.singular` for an exactly
  /// singular matrix and for one whose reciprocal condition number is below
  /// `minimumReciprocalCondition`.
  public init(_ matrix: DenseMatrix, minimumReciprocalCondition: Double = Double.ulpOfOne) throws {
    try Self.check(matrix, "LU")
    dimension = matrix.rows
    norm = matrix.infinityNorm
    var a = matrix.storage
    var ipiv = [Int32](repeating: 0, count: dimension)
    var info: Int32 = 0
    if dimension > 0 {
      var n = Int32(dimension), lda = Int32(dimension)
      a.withUnsafeMutableBufferPointer { dgetrf_(&n, &n, $0.baseAddress, &lda, &ipiv, &info) }
    }
    guard info == 0 else {
      throw SecondOrderError.singular(
        "\(dimension)×\(dimension) matrix: U(\(info), \(info)) is exactly zero")
    }
    factors = a
    pivots = ipiv
    try checkCondition(reciprocalCondition, minimum: minimumReciprocalCondition)
  }

  /// x with A·x = b.
  public func solve(_ b: [Double]) throws -> [Double] { try solveVector(b) }

  /// X with A·X = B for B of n rows.
  public func solve(_ b: DenseMatrix) throws -> DenseMatrix { try solveMatrix(b) }

  func solveColumns(_ b: [Double], count: Int) -> [Double] {
    var x = b
    guard dimension > 0, count > 0 else { return x }
    var n = Int32(dimension), nrhs = Int32(count), lda = Int32(dimension), ldb = Int32(dimension)
    var info: Int32 = 0
    // The factors are of Aᵀ, so A·x = b is the transposed system (Aᵀ)ᵀ·x = b.
    factors.withUnsafeBufferPointer { a in
      pivots.withUnsafeBufferPointer { p in
        x.withUnsafeMutableBufferPointer { xp in
          dgetrs_("T", &n, &nrhs, a.baseAddress, &lda, p.baseAddress, xp.baseAddress, &ldb, &info, 1)
        }
      }
    }
    return x
  }

  /// A⁻¹.
  public func inverse() -> DenseMatrix {
    var a = factors
    let k = dimension
    if k > 0 {
      var n = Int32(k), lda = Int32(k), info: Int32 = 0
      var lwork = Int32(64 * k)
      var work = [Double](repeating: 0, count: 64 * k)
      // (Aᵀ)⁻¹ column-major is A⁻¹ row-major.
      a.withUnsafeMutableBufferPointer { ap in
        pivots.withUnsafeBufferPointer { p in
          dgetri_(&n, ap.baseAddress, &lda, p.baseAddress, &work, &lwork, &info)
        }
      }
    }
    return DenseMatrix(unchecked: k, k, a)
  }

  /// det A (the product of U's diagonal, with the pivots' sign).
  public var determinant: Double {
    var d = 1.0
    for i in 0..<dimension {
      d *= factors[i * dimension + i]
      if pivots[i] != Int32(i + 1) { d = -d }
    }
    return d
  }

  /// LAPACK's estimate of 1 / (‖A‖∞ ‖A⁻¹‖∞): near 1 is well conditioned, near 1e-16 singular.
  public var reciprocalCondition: Double {
    guard dimension > 0 else { return 1 }
    var n = Int32(dimension), lda = Int32(dimension), anorm = norm, rcond = 0.0, info: Int32 = 0
    var work = [Double](repeating: 0, count: 4 * dimension)
    var iwork = [Int32](repeating: 0, count: dimension)
    factors.withUnsafeBufferPointer { a in
      dgecon_("1", &n, a.baseAddress, &lda, &anorm, &rcond, &work, &iwork, &info, 1)
    }
    return rcond
  }
}
