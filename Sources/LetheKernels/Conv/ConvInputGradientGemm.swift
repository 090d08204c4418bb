/// The columns' gradient of a convolution's backward, col[K, ld] = Wᵀ[K, O] · gy[O, ld], with
/// Wᵀ packed once per backward call instead of once per sample chunk (the GEMM driver repacks
/// A on every call: for ResNet's wide layers that was the whole weight tensor, transposed,
/// per chunk). Runs on the calling thread; built from the GEMM's pieces like the implicit
/// forward.
struct ConvInputGradientGemm {
  /// Wᵀ as 12-row panels, depth block d0..<d1 at packed + d0·mPad.
  let packed: UnsafeMutablePointer<Float>
  /// K (the patch size), O (the output channels), K rounded up to whole panels.
  let k: Int, o: Int, mPad: Int
  /// Depth (O) per block, every block but the last.
  let kc0: Int

  /// Floats for the packed weights of a convolution with patch `k` and `o` output channels.
  static func packedFloats(k: Int, o: Int) -> Int {
    let mr = GemmMicroKernel.mr
    return (k + mr - 1) / mr * mr * o
  }

  /// Depth per block: O cut into equal blocks of at most `ConvImplicitGemm.kcMax`.
  static func depthBlock(o: Int) -> Int {
    let blocks = (o + ConvImplicitGemm.kcMax - 1) / ConvImplicitGemm.kcMax
    return (o + blocks - 1) / blocks
  }

  /// Floats of B-panel scratch that `multiply` needs for `ld` columns.
  static func panelFloats(o: Int, ld: Int) -> Int {
    let nr = GemmMicroKernel.nr
    return (ld + nr - 1) / nr * nr * depthBlock(o: o)
  }

  /// Packs Wᵀ of `weight` ([O, K] row-major) into `packed` (`packedFloats` floats).
  init(weight: UnsafePointer<Float>, k: Int, o: Int, packed: UnsafeMutablePointer<Float>) {
    let mr = GemmMicroKernel.mr
    self.packed = packed
    self.k = k
    self.o = o
    mPad = (k + mr - 1) / mr * mr
    kc0 = Self.depthBlock(o: o)
    for d0 in stride(from: 0, to: o, by: kc0) {
      GemmPacking.packA(
        transA: true, a: weight, lda: k, rows: 0..<k, cols: d0..<min(d0 + kc0, o), alpha: 1,
        into: packed + d0 * mPad)
    }
  }

  /// col[K, ld] = Wᵀ · gy (gy is [O, ld], row stride ld; col is overwritten, row stride ld).
  /// `buffer` holds `panelFloats(o:ld:)` floats.
  func multiply(
    gy: UnsafePointer<Float>, ld: Int, into col: UnsafeMutablePointer<Float>,
    buffer: UnsafeMutablePointer<Float>
  ) {
    let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
    let panels = (ld + nr - 1) / nr
    for d0 in stride(from: 0, to: o, by: kc0) {
      let kc = min(kc0, o - d0)
      GemmPacking.packB(
        transB: false, b: gy, ldb: ld, depth: d0..<d0 + kc, firstColumn: 0, lastColumn: ld,
        panels: 0..<panels, into: buffer)
      let beta: Float = d0 == 0 ? 0 : 1
      for ap in 0..<(mPad / mr) {
        let a = UnsafePointer(packed + d0 * mPad + ap * mr * kc)
        let i = ap * mr
        let rows = min(mr, k - i)
        for q in 0..<panels {
          let c = col + i * ld + q * nr
          GemmMicroKernel.tile(
            kc: kc, a: a, b: UnsafePointer(buffer + q * nr * kc), c: c, ldc: ld, rows: rows,
            cols: min(nr, ld - q * nr), beta: beta, next: c)
        }
      }
    }
  }
}
