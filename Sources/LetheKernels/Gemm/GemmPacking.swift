import CLetheKernels

/// Copies blocks of op(A) and op(B) into the contiguous panel layouts the micro-kernel streams
/// through, padding partial panels with zeros so the kernel never needs a remainder loop in k.
/// Transposing copies use 16×16 AVX-512 register transposes (`lethe_transpose_block16`) when the
/// CPU has AVX-512, else scalar loops.
enum GemmPacking {
  private typealias V = SIMD16<Float>

  /// Whether the AVX-512 helpers of `lethe_kernels.h` may run on this CPU.
  static let useAVX512 = GemmBackendChoice.hostVectorISA() == "AVX-512"

  /// Packs rows `rows` × columns `cols` of op(A) (op(A)[i][p] = transA ? a[p·lda+i] : a[i·lda+p]),
  /// scaled by `alpha`, into panels of `mr` rows: panel r holds, for each p, the `mr` values
  /// op(A)[rows.lowerBound + r·mr + 0..<mr][p]; rows past the end are zero.
  static func packA(
    transA: Bool, a: UnsafePointer<Float>, lda: Int, rows: Range<Int>, cols: Range<Int>,
    alpha: Float, into dst: UnsafeMutablePointer<Float>, vectorized: Bool = useAVX512
  ) {
    let mr = GemmMicroKernel.mr
    let kc = cols.count
    var out = dst
    for panelStart in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
      let valid = min(mr, rows.upperBound - panelStart)
      if transA {
        // Each step p reads `valid` contiguous values of row p of the stored (k×m) matrix.
        for p in 0..<kc {
          let src = a + (cols.lowerBound + p) * lda + panelStart
          let o = out + p * mr
          if vectorized {
            lethe_scale_copy16(src, Int32(valid), alpha, o, Int32(mr))
          } else {
            for i in 0..<valid { o[i] = alpha * src[i] }
            for i in valid..<mr { o[i] = 0 }
          }
        }
      } else if vectorized {
        let src = a + panelStart * lda + cols.lowerBound
        for p in stride(from: 0, to: kc, by: 16) {
          lethe_transpose_block16(
            src + p, lda, Int32(valid), Int32(min(16, kc - p)), alpha, out + p * mr, mr, Int32(mr))
        }
      } else {
        for p in 0..<kc {
          let o = out + p * mr
          for i in 0..<valid { o[i] = alpha * a[(panelStart + i) * lda + cols.lowerBound + p] }
          for i in valid..<mr { o[i] = 0 }
        }
      }
      out += mr * kc
    }
  }

  /// Packs a row-major [rows × k] matrix (a convolution's weights) into `mr`-row panels for
  /// every depth block of `kc0` columns, the blocks in parallel: block d0..<d0 + kc lands at
  /// dst + d0·mPad, mPad = rows rounded up to whole panels.
  static func packDepthBlocks(
    _ a: UnsafePointer<Float>, rows: Int, k: Int, kc0: Int, into dst: UnsafeMutablePointer<Float>
  ) {
    let mr = GemmMicroKernel.mr
    let mPad = (rows + mr - 1) / mr * mr
    Parallel.forEach(count: (k + kc0 - 1) / kc0) { bi in
      let d0 = bi * kc0
      packA(
        transA: false, a: a, lda: k, rows: 0..<rows, cols: d0..<min(d0 + kc0, k), alpha: 1,
        into: dst + d0 * mPad)
    }
  }

  /// Packs rows `depth` (the k range) × the 32-wide column panels `panels` of op(B)
  /// (op(B)[p][j] = transB ? b[j·ldb+p] : b[p·ldb+j]) whose columns start at `firstColumn` and end
  /// at `lastColumn` (exclusive). Panel q lands at `dst + q·32·depth.count`, holding for each p the
  /// 32 values op(B)[p][firstColumn + 32q + 0..<32]; columns past `lastColumn` are zero.
  static func packB(
    transB: Bool, b: UnsafePointer<Float>, ldb: Int, depth: Range<Int>,
    firstColumn: Int, lastColumn: Int, panels: Range<Int>, into dst: UnsafeMutablePointer<Float>,
    vectorized: Bool = useAVX512
  ) {
    let nr = GemmMicroKernel.nr
    let kc = depth.count
    for q in panels {
      let out = dst + q * nr * kc
      let col0 = firstColumn + q * nr
      let valid = min(nr, lastColumn - col0)
      if transB && vectorized {
        // Column j of op(B) is row j of the stored (n×k) matrix: transpose 16×16 blocks.
        for half in stride(from: 0, to: nr, by: 16) {
          let rows = max(0, min(16, valid - half))
          let src = b + (col0 + half) * ldb + depth.lowerBound
          for p in stride(from: 0, to: kc, by: 16) {
            lethe_transpose_block16(
              src + p, ldb, Int32(rows), Int32(min(16, kc - p)), 1, out + p * nr + half, nr, 16)
          }
        }
      } else if transB {
        for p in 0..<kc {
          let o = out + p * nr
          for j in 0..<valid { o[j] = b[(col0 + j) * ldb + depth.lowerBound + p] }
          for j in valid..<nr { o[j] = 0 }
        }
      } else if valid == nr {
        for p in 0..<kc {
          let src = UnsafeRawPointer(b + (depth.lowerBound + p) * ldb + col0)
          let o = UnsafeMutableRawPointer(out + p * nr)
          o.storeBytes(of: src.loadUnaligned(as: V.self), as: V.self)
          o.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: V.self), toByteOffset: 64, as: V.self)
        }
      } else {
        for p in 0..<kc {
          let src = b + (depth.lowerBound + p) * ldb + col0
          let o = out + p * nr
          for j in 0..<valid { o[j] = src[j] }
          for j in valid..<nr { o[j] = 0 }
        }
      }
    }
  }
}
