/// What Cholesky and LU share: checking the matrix they are given, solving for vectors and
/// matrices through one column-major routine, and refusing a badly conditioned matrix.
protocol DenseFactorization {
  /// The matrix size n.
  var dimension: Int { get }
  /// X with A·X = B for `count` right-hand sides stored column-major in `b`.
  func solveColumns(_ b: [Double], count: Int) -> [Double]
}

extension DenseFactorization {
  /// Throws unless `matrix` is square and finite.
  static func check(_ matrix: DenseMatrix, _ what: String) throws {
    guard matrix.isSquare else {
      throw SecondOrderError.dimensionMismatch("\(what) of a \(matrix.rows)×\(matrix.columns) matrix")
    }
    guard matrix.isFinite else {
      throw SecondOrderError.invalidArgument("\(what) of a matrix with non-finite elements")
    }
  }

  /// Throws `.singular` when `rcond` is below `minimum`.
  func checkCondition(_ rcond: Double, minimum: Double) throws {
    guard dimension == 0 || rcond >= minimum else {
      throw SecondOrderError.singular(
        "\(dimension)×\(dimension) matrix has reciprocal condition number \(rcond)")
    }
  }

  func solveVector(_ b: [Double]) throws -> [Double] {
    guard b.count == dimension else {
      throw SecondOrderError.dimensionMismatch(
        "solve a \(dimension)×\(dimension) system with \(b.count) values")
    }
    return solveColumns(b, count: 1)
  }

  func solveMatrix(_ b: DenseMatrix) throws -> DenseMatrix {
    guard b.rows == dimension else {
      throw SecondOrderError.dimensionMismatch(
        "solve a \(dimension)×\(dimension) system with \(b.rows) rows")
    }
    // LAPACK wants the right-hand sides column-major: the row-major Bᵀ.
    let x = solveColumns(b.transposed().storage, count: b.columns)
    return DenseMatrix(unchecked: b.columns, b.rows, x).transposed()
  }
}
