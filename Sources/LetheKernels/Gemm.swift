/// Single-precision matrix multiplication, C ← α·op(A)·op(B) + β·C, row-major, behind one
/// interface with two backends (Lethe's own kernels and OpenBLAS).
///
/// PLACEHOLDER: a naive loop until the packed SIMD kernel lands.
public enum Gemm {
  /// C[m×n] ← alpha · op(A)[m×k] · op(B)[k×n] + beta · C, all row-major with leading dimensions.
  public static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var acc: Float = 0
        for p in 0..<k {
          let av = transA ? a[p * lda + i] : a[i * lda + p]
          let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
          acc += av * bv
        }
        c[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * c[i * ldc + j])
      }
    }
  }
}
