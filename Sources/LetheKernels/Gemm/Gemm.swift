/// Single-precision matrix multiplication, C ← α·op(A)·op(B) + β·C, row-major, behind one
/// interface with two backends: Lethe's own packed SIMD kernels (`GemmSwiftDriver`) and
/// OpenBLAS's `cblas_sgemm`. The backend is chosen once per process (`GemmBackendChoice`).
public enum Gemm {
  /// A GEMM implementation.
  public enum Backend: String, Sendable, CaseIterable {
    /// Lethe's packed AVX-512 kernels on `Parallel.threadCount` threads.
    case swift
    /// OpenBLAS's `cblas_sgemm` (with OpenBLAS's own threads).
    case blas
  }

  /// The backend `sgemm` uses, chosen on first use.
  public static var backend: Backend { GemmBackendChoice.current.backend }

  /// Why `backend` was chosen (the override, the OpenBLAS core name, or the measurement).
  public static var backendReason: String { GemmBackendChoice.current.reason }

  /// The core name OpenBLAS detected for this CPU.
  public static var openBLASCoreName: String { GemmBLAS.coreName }

  /// C[m×n] ← alpha · op(A)[m×k] · op(B)[k×n] + beta · C, all row-major with leading dimensions.
  /// op(A) = A (m×k, lda ≥ k) or, with `transA`, Aᵀ for A stored k×m (lda ≥ m); likewise B.
  /// When beta is 0, C is not read (NaNs in it are overwritten), as in BLAS.
  public static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    sgemm(
      backend: backend, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  /// `sgemm` on an explicit backend (for benchmarks and tests). `threads` applies to the Swift
  /// backend only (default `Parallel.threadCount`).
  public static func sgemm(
    backend: Backend, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "Gemm.sgemm: negative size \(m)×\(n)×\(k)")
    precondition(
      lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
      "Gemm.sgemm: leading dimension too small (lda \(lda), ldb \(ldb), ldc \(ldc))")
    switch backend {
    case .swift:
      GemmSwiftDriver.sgemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads ?? Parallel.threadCount)
    case .blas:
      GemmBLAS.sgemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
  }
}
