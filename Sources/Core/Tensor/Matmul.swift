import LetheKernels

/// Matrix products through `Gemm.sgemm`.
extension Tensor {
  /// `[..., m, k] · [..., k, n]`: batch axes must be equal, or one operand has rank 2 (it is
  /// then shared by every batch entry).
  public func matmul(_ other: Tensor) throws -> Tensor {
    try Tensor.matmul(self, transposeA: false, other, transposeB: false)
  }

  /// op(a) · op(b) where op transposes the last two axes when asked.
  static func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) throws -> Tensor {
    guard a.rank >= 2, b.rank >= 2 else {
      throw TensorError.shapeMismatch("matmul needs rank ≥ 2 operands, got \(a.shape) and \(b.shape)")
    }
    let ar = a.shape[a.rank - 2]
    let ac = a.shape[a.rank - 1]
    let br = b.shape[b.rank - 2]
    let bc = b.shape[b.rank - 1]
    let (m, k) = transposeA ? (ac, ar) : (ar, ac)
    let (k2, n) = transposeB ? (bc, br) : (br, bc)
    guard k == k2 else {
      throw TensorError.shapeMismatch("matmul: \(a.shape) and \(b.shape) (inner extents \(k) ≠ \(k2))")
    }
    let batchA = Array(a.shape.dropLast(2))
    let batchB = Array(b.shape.dropLast(2))
    let batch: [Int]
    if batchA == batchB || batchB.isEmpty {
      batch = batchA
    } else if batchA.isEmpty {
      batch = batchB
    } else {
      throw TensorError.shapeMismatch("matmul: batch axes of \(a.shape) and \(b.shape) differ")
    }
    let count = batch.reduce(1, *)
    let strideA = batchA.isEmpty ? 0 : ar * ac
    let strideB = batchB.isEmpty ? 0 : br * bc
    let outShape = batch + [m, n]
    try Tensor.validate(shape: outShape)
    if m * n == 0 { return Tensor.zeros(outShape) }
    if k == 0 { return Tensor.zeros(outShape) }
    return a.withPointer { pa in
      b.withPointer { pb in
        Tensor.build(shape: outShape) { pc in
          // A batch over a shared right operand is one tall GEMM.
          if strideB == 0 && !transposeA && count > 1 {
            Gemm.sgemm(
              transA: false, transB: transposeB, m: m * count, n: n, k: k, alpha: 1, a: pa,
              lda: ac, b: pb, ldb: bc, beta: 0, c: pc, ldc: n)
            return
          }
          for i in 0..<count {
            Gemm.sgemm(
              transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
              a: pa + i * strideA, lda: ac, b: pb + i * strideB, ldb: bc, beta: 0,
              c: pc + i * m * n, ldc: n)
          }
        }
      }
    }
  }
}
