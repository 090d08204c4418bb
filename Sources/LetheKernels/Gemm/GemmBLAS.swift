import CBLAS
import Foundation

/// The OpenBLAS backend: `cblas_sgemm` in row-major order.
enum GemmBLAS {
  /// The core OpenBLAS chose its kernels for (e.g. "SkylakeX", or "Prescott" when it does not know
  /// the CPU), as `openblas_get_corename` reports it.
  static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name).trimmingCharacters(in: .whitespaces)
  }

  /// C ← alpha·op(A)·op(B) + beta·C through OpenBLAS (see `Gemm.sgemm`).
  static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    // OpenBLAS rejects lda < 1 (possible when k = 0); the result is just beta·C.
    if k == 0 {
      GemmSwiftDriver.scale(c: c, ldc: ldc, m: m, n: n, beta: beta)
      return
    }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
      beta, c, blasint(ldc))
  }
}
