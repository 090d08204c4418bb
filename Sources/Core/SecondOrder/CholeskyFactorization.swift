import CLAPACK

/// A = L·Lᵀ for a symmetric positive definite Float64 matrix, by LAPACK's `dpotrf` (Debian's
/// OpenBLAS): solves, the inverse, the log-determinant and a condition estimate.
///
/// Newton steps on Hessians (certified removal, Sekhari et al.) solve with it; a Hessian that
/// is not positive definite is reported with the failing leading minor rather than solved.
public struct CholeskyFactorization: Sendable, DenseFactorization {
  /// The matrix size n.
  public let dimension: Int
  /// The factor: column-major lower triangle (= row-major upper triangle of the buffer).
  let factor: [Double]
  /// ‖A‖₁, kept for the condition estimate.
  let oneNorm: Double

  /// Factors `matrix`, which must be square, finite and symmetric (up to a relative asymmetry
  /// of 1e-8; symmetrize a finite-difference Hessian first) and positive definite. Throws
  /// `.notPositiveDefinite` naming the failing leading minor, and `.singular` when the
  /// reciprocal condition number is below `minimumReciprocalCondition`.
  public init(_ matrix: DenseMatrix, minimumReciprocalCondition: Double = Double.ulpOfOne) throws {
    try Self.check(matrix, "Cholesky")
    let asym = matrix.asymmetry
    guard asym <= 1e-8 else {
      throw SecondOrderError.notPositiveDefinite(
        "the matrix is not symmetric (relative asymmetry \(asym)); symmetrize it first")
    }
    dimension = matrix.rows
    oneNorm = matrix.oneNorm
    var a = matrix.storage
    var n = Int32(dimension), lda = Int32(Swift.max(dimension, 1)), info: Int32 = 0
    if dimension > 0 {
      a.withUnsafeMutableBufferPointer { dpotrf_("L", &n, $0.baseAddress, &lda, &info, 1) }
    }
    guard info == 0 else {
      throw SecondOrderError.notPositiveDefinite(
        "the leading \(info)×\(info) minor of the \(dimension)×\(dimension) matrix is not positive definite")
    }
    factor = a
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
    factor.withUnsafeBufferPointer { a in
      x.withUnsafeMutableBufferPointer { xp in
        dpotrs_("L", &n, &nrhs, a.baseAddress, &lda, xp.baseAddress, &ldb, &info, 1)
      }
    }
    return x
  }

  /// A⁻¹ (symmetric).
  public func inverse() -> DenseMatrix {
    var a = factor
    let k = dimension
    if k > 0 {
      var n = Int32(k), lda = Int32(k), info: Int32 = 0
      a.withUnsafeMutableBufferPointer { dpotri_("L", &n, $0.baseAddress, &lda, &info, 1) }
    }
    // dpotri fills the column-major lower triangle (row-major upper); mirror it.
    for i in 0..<k { for j in 0..<i { a[i * k + j] = a[j * k + i] } }
    return DenseMatrix(unchecked: k, k, a)
  }

  /// L, row-major, with zeros above the diagonal.
  public var lowerFactor: DenseMatrix {
    let k = dimension
    var l = [Double](repeating: 0, count: k * k)
    // Column-major lower element (i, j), i ≥ j, sits at j·k + i.
    for i in 0..<k { for j in 0...i { l[i * k + j] = factor[j * k + i] } }
    return DenseMatrix(unchecked: k, k, l)
  }

  /// log det A = 2 Σ log L_ii.
  public var logDeterminant: Double {
    (0..<dimension).reduce(0.0) { $0 + 2 * libmLog(factor[$1 * dimension + $1]) }
  }

  /// LAPACK's estimate of 1 / (‖A‖₁ ‖A⁻¹‖₁): near 1 is well conditioned, near 1e-16 singular.
  public var reciprocalCondition: Double {
    guard dimension > 0 else { return 1 }
    var n = Int32(dimension), lda = Int32(dimension), anorm = oneNorm, rcond = 0.0, info: Int32 = 0
    var work = [Double](repeating: 0, count: 3 * dimension)
    var iwork = [Int32](repeating: 0, count: dimension)
    factor.withUnsafeBufferPointer { a in
      dpocon_("L", &n, a.baseAddress, &lda, &anorm, &rcond, &work, &iwork, &info, 1)
    }
    return rcond
  }
}
