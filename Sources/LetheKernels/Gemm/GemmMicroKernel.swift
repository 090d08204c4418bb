import CLetheKernels

/// The register-blocked GEMM micro-kernel: a 12×32 tile of C held in 24 AVX-512 registers
/// (SIMD16<Float>), updated by one fused multiply-add per register per step of k; plus 8- and
/// 4-row variants for the last rows of a matrix (m = 32 or 64 leaves 8 or 4), which read the same
/// packed A panels (stride `mr`) and so avoid the scratch-tile path.
enum GemmMicroKernel {
  /// Rows of C per tile (one broadcast A element each).
  static let mr = 12
  /// Columns of C per tile (two 16-lane vectors).
  static let nr = 32
  /// How far ahead in packed B (bytes) the kernels prefetch: 8 steps of k.
  static let prefetchDistance = 1024

  /// C[0..<mr, 0..<32] ← Σₚ a[p·mr + i]·b[p·32 + j] + beta·C, reading C only when beta ≠ 0.
  /// `a` and `b` are packed panels of `kc` steps; `c` has row stride `ldc`; `next` is the tile
  /// the following call will update (only prefetched; any address is safe).
  @inline(never)
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, next: UnsafePointer<Float>
  ) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V()
    var c10 = V(), c11 = V()
    var c20 = V(), c21 = V()
    var c30 = V(), c31 = V()
    var c40 = V(), c41 = V()
    var c50 = V(), c51 = V()
    var c60 = V(), c61 = V()
    var c70 = V(), c71 = V()
    var c80 = V(), c81 = V()
    var c90 = V(), c91 = V()
    var c100 = V(), c101 = V()
    var c110 = V(), c111 = V()
    // C's lines are fetched while the k loop runs (they miss cache when C is large): this
    // tile's into L1, the next tile's (`next`, same row stride) into L2 for the next call.
    for row in 0..<12 {
      lethe_prefetch_for_write(c + row * ldc)
      lethe_prefetch_for_write(c + row * ldc + 16)
      lethe_prefetch_for_write(c + row * ldc + 31)
      lethe_prefetch_l2(next + row * ldc)
      lethe_prefetch_l2(next + row * ldc + 16)
      lethe_prefetch_l2(next + row * ldc + 31)
    }
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
      // B streams from L2: fetch it 8 steps ahead (the hardware prefetcher alone leaves the
      // loop waiting on B at each step's first loads).
      lethe_prefetch_l1(pb + prefetchDistance)
      lethe_prefetch_l1(pb + prefetchDistance + 64)
      let b0 = pb.loadUnaligned(as: V.self)
      let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
      let a0 = V(repeating: pa[0])
      c00.addProduct(a0, b0); c01.addProduct(a0, b1)
      let a1 = V(repeating: pa[1])
      c10.addProduct(a1, b0); c11.addProduct(a1, b1)
      let a2 = V(repeating: pa[2])
      c20.addProduct(a2, b0); c21.addProduct(a2, b1)
      let a3 = V(repeating: pa[3])
      c30.addProduct(a3, b0); c31.addProduct(a3, b1)
      let a4 = V(repeating: pa[4])
      c40.addProduct(a4, b0); c41.addProduct(a4, b1)
      let a5 = V(repeating: pa[5])
      c50.addProduct(a5, b0); c51.addProduct(a5, b1)
      let a6 = V(repeating: pa[6])
      c60.addProduct(a6, b0); c61.addProduct(a6, b1)
      let a7 = V(repeating: pa[7])
      c70.addProduct(a7, b0); c71.addProduct(a7, b1)
      let a8 = V(repeating: pa[8])
      c80.addProduct(a8, b0); c81.addProduct(a8, b1)
      let a9 = V(repeating: pa[9])
      c90.addProduct(a9, b0); c91.addProduct(a9, b1)
      let a10 = V(repeating: pa[10])
      c100.addProduct(a10, b0); c101.addProduct(a10, b1)
      let a11 = V(repeating: pa[11])
      c110.addProduct(a11, b0); c111.addProduct(a11, b1)
      pa += mr
      pb += 128
    }
    if beta == 0 {
      store(c00, c01, c + 0 * ldc)
      store(c10, c11, c + 1 * ldc)
      store(c20, c21, c + 2 * ldc)
      store(c30, c31, c + 3 * ldc)
      store(c40, c41, c + 4 * ldc)
      store(c50, c51, c + 5 * ldc)
      store(c60, c61, c + 6 * ldc)
      store(c70, c71, c + 7 * ldc)
      store(c80, c81, c + 8 * ldc)
      store(c90, c91, c + 9 * ldc)
      store(c100, c101, c + 10 * ldc)
      store(c110, c111, c + 11 * ldc)
    } else {
      let vb = V(repeating: beta)
      update(c00, c01, c + 0 * ldc, vb)
      update(c10, c11, c + 1 * ldc, vb)
      update(c20, c21, c + 2 * ldc, vb)
      update(c30, c31, c + 3 * ldc, vb)
      update(c40, c41, c + 4 * ldc, vb)
      update(c50, c51, c + 5 * ldc, vb)
      update(c60, c61, c + 6 * ldc, vb)
      update(c70, c71, c + 7 * ldc, vb)
      update(c80, c81, c + 8 * ldc, vb)
      update(c90, c91, c + 9 * ldc, vb)
      update(c100, c101, c + 10 * ldc, vb)
      update(c110, c111, c + 11 * ldc, vb)
    }
  }

  /// `run` for the first 8 rows of the tile only.
  @inline(never)
  static func run8(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, next: UnsafePointer<Float>
  ) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V()
    var c10 = V(), c11 = V()
    var c20 = V(), c21 = V()
    var c30 = V(), c31 = V()
    var c40 = V(), c41 = V()
    var c50 = V(), c51 = V()
    var c60 = V(), c61 = V()
    var c70 = V(), c71 = V()
    // C's lines are fetched while the k loop runs (they miss cache when C is large): this
    // tile's into L1, the next tile's (`next`, same row stride) into L2 for the next call.
    for row in 0..<8 {
      lethe_prefetch_for_write(c + row * ldc)
      lethe_prefetch_for_write(c + row * ldc + 16)
      lethe_prefetch_for_write(c + row * ldc + 31)
      lethe_prefetch_l2(next + row * ldc)
      lethe_prefetch_l2(next + row * ldc + 16)
      lethe_prefetch_l2(next + row * ldc + 31)
    }
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
      // B streams from L2: fetch it 8 steps ahead (the hardware prefetcher alone leaves the
      // loop waiting on B at each step's first loads).
      lethe_prefetch_l1(pb + prefetchDistance)
      lethe_prefetch_l1(pb + prefetchDistance + 64)
      let b0 = pb.loadUnaligned(as: V.self)
      let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
      let a0 = V(repeating: pa[0])
      c00.addProduct(a0, b0); c01.addProduct(a0, b1)
      let a1 = V(repeating: pa[1])
      c10.addProduct(a1, b0); c11.addProduct(a1, b1)
      let a2 = V(repeating: pa[2])
      c20.addProduct(a2, b0); c21.addProduct(a2, b1)
      let a3 = V(repeating: pa[3])
      c30.addProduct(a3, b0); c31.addProduct(a3, b1)
      let a4 = V(repeating: pa[4])
      c40.addProduct(a4, b0); c41.addProduct(a4, b1)
      let a5 = V(repeating: pa[5])
      c50.addProduct(a5, b0); c51.addProduct(a5, b1)
      let a6 = V(repeating: pa[6])
      c60.addProduct(a6, b0); c61.addProduct(a6, b1)
      let a7 = V(repeating: pa[7])
      c70.addProduct(a7, b0); c71.addProduct(a7, b1)
      pa += mr
      pb += 128
    }
    if beta == 0 {
      store(c00, c01, c + 0 * ldc)
      store(c10, c11, c + 1 * ldc)
      store(c20, c21, c + 2 * ldc)
      store(c30, c31, c + 3 * ldc)
      store(c40, c41, c + 4 * ldc)
      store(c50, c51, c + 5 * ldc)
      store(c60, c61, c + 6 * ldc)
      store(c70, c71, c + 7 * ldc)
    } else {
      let vb = V(repeating: beta)
      update(c00, c01, c + 0 * ldc, vb)
      update(c10, c11, c + 1 * ldc, vb)
      update(c20, c21, c + 2 * ldc, vb)
      update(c30, c31, c + 3 * ldc, vb)
      update(c40, c41, c + 4 * ldc, vb)
      update(c50, c51, c + 5 * ldc, vb)
      update(c60, c61, c + 6 * ldc, vb)
      update(c70, c71, c + 7 * ldc, vb)
    }
  }

  /// `run` for the first 4 rows of the tile only.
  @inline(never)
  static func run4(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, next: UnsafePointer<Float>
  ) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V()
    var c10 = V(), c11 = V()
    var c20 = V(), c21 = V()
    var c30 = V(), c31 = V()
    // C's lines are fetched while the k loop runs (they miss cache when C is large): this
    // tile's into L1, the next tile's (`next`, same row stride) into L2 for the next call.
    for row in 0..<4 {
      lethe_prefetch_for_write(c + row * ldc)
      lethe_prefetch_for_write(c + row * ldc + 16)
      lethe_prefetch_for_write(c + row * ldc + 31)
      lethe_prefetch_l2(next + row * ldc)
      lethe_prefetch_l2(next + row * ldc + 16)
      lethe_prefetch_l2(next + row * ldc + 31)
    }
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
      // B streams from L2: fetch it 8 steps ahead (the hardware prefetcher alone leaves the
      // loop waiting on B at each step's first loads).
      lethe_prefetch_l1(pb + prefetchDistance)
      lethe_prefetch_l1(pb + prefetchDistance + 64)
      let b0 = pb.loadUnaligned(as: V.self)
      let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
      let a0 = V(repeating: pa[0])
      c00.addProduct(a0, b0); c01.addProduct(a0, b1)
      let a1 = V(repeating: pa[1])
      c10.addProduct(a1, b0); c11.addProduct(a1, b1)
      let a2 = V(repeating: pa[2])
      c20.addProduct(a2, b0); c21.addProduct(a2, b1)
      let a3 = V(repeating: pa[3])
      c30.addProduct(a3, b0); c31.addProduct(a3, b1)
      pa += mr
      pb += 128
    }
    if beta == 0 {
      store(c00, c01, c + 0 * ldc)
      store(c10, c11, c + 1 * ldc)
      store(c20, c21, c + 2 * ldc)
      store(c30, c31, c + 3 * ldc)
    } else {
      let vb = V(repeating: beta)
      update(c00, c01, c + 0 * ldc, vb)
      update(c10, c11, c + 1 * ldc, vb)
      update(c20, c21, c + 2 * ldc, vb)
      update(c30, c31, c + 3 * ldc, vb)
    }
  }

  @inline(__always)
  private static func store(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>) {
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: v0, as: SIMD16<Float>.self)
    raw.storeBytes(of: v1, toByteOffset: 64, as: SIMD16<Float>.self)
  }

  @inline(__always)
  private static func update(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>, _ beta: SIMD16<Float>
  ) {
    let raw = UnsafeMutableRawPointer(c)
    let old0 = raw.loadUnaligned(as: SIMD16<Float>.self)
    let old1 = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
    raw.storeBytes(of: v0.addingProduct(beta, old0), as: SIMD16<Float>.self)
    raw.storeBytes(of: v1.addingProduct(beta, old1), toByteOffset: 64, as: SIMD16<Float>.self)
  }
}
