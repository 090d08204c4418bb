extension Gemm {
  /// A batch of independent products: for every `i` in `0..<batch`,
  /// C_i ← alpha·op(A_i)·op(B_i) + beta·C_i with A_i = a + i·strideA, B_i = b + i·strideB and
  /// C_i = c + i·strideC (a stride of 0 shares one operand, e.g. a convolution's weights across
  /// samples). Layout rules are `sgemm`'s; the C blocks must not overlap.
  ///
  /// With the Swift backend, a batch of small products runs one product per thread (each on one
  /// core, no synchronisation inside), which beats splitting each small product across cores;
  /// large products run one after another, each on all threads.
  public static func sgemmBatched(
    batch: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int, strideB: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, backend: Backend? = nil
  ) {
    precondition(batch >= 0, "Gemm.sgemmBatched: negative batch \(batch)")
    precondition(
      batch <= 1 || m == 0 || n == 0 || strideC >= (m - 1) * ldc + n,
      "Gemm.sgemmBatched: C blocks overlap (strideC \(strideC))")
    let chosen = backend ?? self.backend
    let threads = Parallel.threadCount
    // Products below ~8 M multiply-adds gain little from splitting; a batch of them splits well.
    let perProductSmall = m * n * k < 1 << 23
    if chosen == .swift && threads > 1 && batch >= threads && perProductSmall {
      Parallel.forEach(count: batch) { i in
        sgemm(
          backend: .swift, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
          a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
          c: c + i * strideC, ldc: ldc, threads: 1)
      }
      return
    }
    for i in 0..<batch {
      sgemm(
        backend: chosen, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
        a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
        c: c + i * strideC, ldc: ldc)
    }
  }
}
