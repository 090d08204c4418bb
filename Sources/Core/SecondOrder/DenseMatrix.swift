import CLAPACK

/// A dense Float64 matrix in row-major order: the second-order layer's Hessians, Fisher
/// matrices and small systems (K×K class matrices, L-BFGS middle matrices).
///
/// Products go through OpenBLAS's double-precision BLAS (`dgemv`, `dgemm`). Row-major storage
/// is column-major storage of the transpose, which is how the BLAS and LAPACK calls read it.
public struct DenseMatrix: Sendable, Equatable, CustomStringConvertible {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The elements, row after row (`storage[i * columns + j]` is row i, column j).
  public var storage: [Double]

  /// A matrix filled with `value`. Throws for a negative or overflowing size.
  public init(rows: Int, columns: Int, repeating value: Double = 0) throws {
    guard rows >= 0, columns >= 0, !rows.multipliedReportingOverflow(by: columns).overflow else {
      throw SecondOrderError.invalidArgument("a \(rows)×\(columns) matrix")
    }
    self.init(unchecked: rows, columns, [Double](repeating: value, count: rows * columns))
  }

  /// A matrix from row-major elements. Throws when the count disagrees with the size.
  public init(rows: Int, columns: Int, storage: [Double]) throws {
    guard rows >= 0, columns >= 0, !rows.multipliedReportingOverflow(by: columns).overflow,
      storage.count == rows * columns
    else {
      throw SecondOrderError.dimensionMismatch(
        "\(storage.count) elements cannot fill a \(rows)×\(columns) matrix")
    }
    self.init(unchecked: rows, columns, storage)
  }

  /// A matrix from its rows, which must all have the same length.
  public init(_ rowArrays: [[Double]]) throws {
    let c = rowArrays.first?.count ?? 0
    guard rowArrays.allSatisfy({ $0.count == c }) else {
      throw SecondOrderError.dimensionMismatch("ragged rows \(rowArrays.map { $0.count })")
    }
    self.init(unchecked: rowArrays.count, c, rowArrays.flatMap { $0 })
  }

  /// The matrix of a rank-2 Float32 tensor.
  public init(_ tensor: Tensor) throws {
    guard tensor.rank == 2 else {
      throw SecondOrderError.dimensionMismatch("a matrix from a tensor of shape \(tensor.shape)")
    }
    self.init(unchecked: tensor.shape[0], tensor.shape[1], tensor.storage.map { Double($0) })
  }

  init(unchecked rows: Int, _ columns: Int, _ storage: [Double]) {
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// The n×n identity.
  public static func identity(_ n: Int) -> DenseMatrix {
    let k = Swift.max(n, 0)
    var m = DenseMatrix(unchecked: k, k, [Double](repeating: 0, count: k * k))
    for i in 0..<k { m.storage[i * k + i] = 1 }
    return m
  }

  /// The square matrix with `values` on its diagonal.
  public static func diagonal(_ values: [Double]) -> DenseMatrix {
    var m = identity(values.count)
    for (i, v) in values.enumerated() { m.storage[i * values.count + i] = v }
    return m
  }

  /// Row i, column j (0-based; traps when out of range, like an array).
  public subscript(i: Int, j: Int) -> Double {
    get { storage[i * columns + j] }
    set { storage[i * columns + j] = newValue }
  }

  /// Whether rows == columns.
  public var isSquare: Bool { rows == columns }

  /// Row i as an array.
  public func row(_ i: Int) -> [Double] { Array(storage[(i * columns)..<((i + 1) * columns)]) }

  /// Column j as an array.
  public func column(_ j: Int) -> [Double] { (0..<rows).map { storage[$0 * columns + j] } }

  /// The diagonal of a square (or the leading diagonal of any) matrix.
  public var diagonalElements: [Double] { (0..<Swift.min(rows, columns)).map { self[$0, $0] } }

  /// The transpose.
  public func transposed() -> DenseMatrix {
    var t = [Double](repeating: 0, count: storage.count)
    storage.withUnsafeBufferPointer { a in
      t.withUnsafeMutableBufferPointer { b in
        for i in 0..<rows { for j in 0..<columns { b[j * rows + i] = a[i * columns + j] } }
      }
    }
    return DenseMatrix(unchecked: columns, rows, t)
  }

  /// (A + Aᵀ) / 2 of a square matrix: the symmetric part (finite-difference Hessians are
  /// symmetric only up to their error).
  public func symmetrized() throws -> DenseMatrix {
    guard isSquare else { throw SecondOrderError.dimensionMismatch("symmetrize a \(rows)×\(columns) matrix") }
    var s = self
    for i in 0..<rows {
      for j in (i + 1)..<Swift.max(i + 1, columns) {
        let v = (self[i, j] + self[j, i]) / 2
        s[i, j] = v
        s[j, i] = v
      }
    }
    return s
  }

  /// Adds `value` to every diagonal element (damping, L2 regularisation: A + λI).
  public mutating func addToDiagonal(_ value: Double) {
    for i in 0..<Swift.min(rows, columns) { storage[i * columns + i] += value }
  }

  /// max |a_ij − a_ji| / max |a_ij| (0 for a zero matrix): how far from symmetric.
  public var asymmetry: Double {
    guard isSquare else { return .infinity }
    var diff = 0.0
    var scale = 0.0
    for i in 0..<rows {
      for j in 0..<columns {
        diff = Swift.max(diff, Swift.abs(self[i, j] - self[j, i]))
        scale = Swift.max(scale, Swift.abs(self[i, j]))
      }
    }
    return scale == 0 ? 0 : diff / scale
  }

  /// Whether every element is finite.
  public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }

  /// The 1-norm: the largest column sum of absolute values.
  public var oneNorm: Double {
    var sums = [Double](repeating: 0, count: columns)
    for i in 0..<rows { for j in 0..<columns { sums[j] += Swift.abs(self[i, j]) } }
    return sums.max() ?? 0
  }

  /// The ∞-norm: the largest row sum of absolute values.
  public var infinityNorm: Double {
    (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + Swift.abs(self[i, $1]) } }.max() ?? 0
  }

  /// A·x.
  public func times(_ x: [Double]) throws -> [Double] {
    guard x.count == columns else {
      throw SecondOrderError.dimensionMismatch("a \(rows)×\(columns) matrix times a vector of \(x.count)")
    }
    var y = [Double](repeating: 0, count: rows)
    guard rows > 0, columns > 0 else { return y }
    // Row-major A is column-major Aᵀ (columns × rows): y = (Aᵀ)ᵀ x.
    var m = Int32(columns), n = Int32(rows), lda = Int32(columns), inc: Int32 = 1
    var one = 1.0, zero = 0.0
    storage.withUnsafeBufferPointer { a in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          dgemv_("T", &m, &n, &one, a.baseAddress, &lda, xp.baseAddress, &inc, &zero,
            yp.baseAddress, &inc, 1)
        }
      }
    }
    return y
  }

  /// A·B.
  public func times(_ b: DenseMatrix) throws -> DenseMatrix {
    guard columns == b.rows else {
      throw SecondOrderError.dimensionMismatch("\(rows)×\(columns) times \(b.rows)×\(b.columns)")
    }
    var c = [Double](repeating: 0, count: rows * b.columns)
    guard rows > 0, b.columns > 0, columns > 0 else {
      return DenseMatrix(unchecked: rows, b.columns, c)
    }
    // Column-major view: Cᵀ (b.columns × rows) = Bᵀ · Aᵀ.
    var m = Int32(b.columns), n = Int32(rows), k = Int32(columns)
    var ldb = Int32(b.columns), lda = Int32(columns), ldc = Int32(b.columns)
    var one = 1.0, zero = 0.0
    b.storage.withUnsafeBufferPointer { bp in
      storage.withUnsafeBufferPointer { ap in
        c.withUnsafeMutableBufferPointer { cp in
          dgemm_("N", "N", &m, &n, &k, &one, bp.baseAddress, &ldb, ap.baseAddress, &lda, &zero,
            cp.baseAddress, &ldc, 1, 1)
        }
      }
    }
    return DenseMatrix(unchecked: rows, b.columns, c)
  }

  /// Aᵀ·A / divisor for the rows of a Float32 `[N, P]` tensor (a Gram or empirical Fisher
  /// matrix), accumulated in Float64 by `dsyrk`.
  public static func gram(_ rowsTensor: Tensor, dividedBy divisor: Double = 1) throws -> DenseMatrix {
    guard rowsTensor.rank == 2 else {
      throw SecondOrderError.dimensionMismatch("a Gram matrix of a tensor of shape \(rowsTensor.shape)")
    }
    let (n, p) = (rowsTensor.shape[0], rowsTensor.shape[1])
    var g = [Double](repeating: 0, count: p * p)
    guard n > 0, p > 0 else { return DenseMatrix(unchecked: p, p, g) }
    let a = rowsTensor.storage.map { Double($0) }
    // Row-major G (n × p) is column-major Gᵀ (p × n); C = Gᵀ·G is dsyrk "N" on Gᵀ.
    var np = Int32(p), nk = Int32(n), lda = Int32(p), ldc = Int32(p)
    var alpha = 1 / divisor, zero = 0.0
    a.withUnsafeBufferPointer { ap in
      g.withUnsafeMutableBufferPointer { cp in
        dsyrk_("U", "N", &np, &nk, &alpha, ap.baseAddress, &lda, &zero, cp.baseAddress, &ldc, 1, 1)
      }
    }
    // dsyrk filled the column-major upper triangle (the row-major lower one); mirror it.
    for i in 0..<p { for j in (i + 1)..<Swift.max(i + 1, p) { g[i * p + j] = g[j * p + i] } }
    return DenseMatrix(unchecked: p, p, g)
  }

  /// a·bᵀ (LCODEC's finite-difference and Fisher Hessians are such outer products).
  public static func outer(_ a: [Double], _ b: [Double]) -> DenseMatrix {
    var m = DenseMatrix(unchecked: a.count, b.count, [Double](repeating: 0, count: a.count * b.count))
    for i in a.indices { for j in b.indices { m.storage[i * b.count + j] = a[i] * b[j] } }
    return m
  }

  /// The eigenvalues of a symmetric matrix, ascending (LAPACK `dsyev`; reads the lower
  /// triangle). For conditioning checks and spectral norms (‖X‖₂² = λ_max(XᵀX)).
  public func symmetricEigenvalues() throws -> [Double] {
    guard isSquare, isFinite else {
      throw SecondOrderError.invalidArgument("eigenvalues of a \(rows)×\(columns) matrix that is not square and finite")
    }
    guard asymmetry <= 1e-8 else {
      throw SecondOrderError.invalidArgument("eigenvalues of a matrix that is not symmetric (relative asymmetry \(asymmetry))")
    }
    var w = [Double](repeating: 0, count: rows)
    guard rows > 0 else { return w }
    var a = storage
    var n = Int32(rows), lda = Int32(rows), info: Int32 = 0
    var lwork = Int32(Swift.max(1, 3 * rows))
    var work = [Double](repeating: 0, count: Int(lwork))
    a.withUnsafeMutableBufferPointer { ap in
      dsyev_("N", "L", &n, ap.baseAddress, &lda, &w, &work, &lwork, &info, 1, 1)
    }
    guard info == 0 else {
      throw SecondOrderError.invalidArgument("the eigenvalue iteration did not converge (dsyev info \(info))")
    }
    return w
  }

  /// The matrix as a Float32 tensor `[rows, columns]`.
  public func tensor() -> Tensor {
    Tensor(shape: [rows, columns], storage: storage.map { Float($0) })
  }

  /// A short description: the size and, for small matrices, the rows.
  public var description: String {
    guard rows * columns <= 36 else { return "DenseMatrix[\(rows)×\(columns)]" }
    let body = (0..<rows).map { row($0).map { String($0) }.joined(separator: ", ") }
    return "DenseMatrix[\(rows)×\(columns)] [" + body.joined(separator: "; ") + "]"
  }
}
