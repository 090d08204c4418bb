/// Lethe's own GEMM: Goto/BLIS-style blocking around `GemmMicroKernel`.
///
/// For each block of ≤ `mcMax` rows and ≤ `kcMax` steps of k (k is cut into equal blocks), one
/// parallel region runs work items: a range of 12-row A micro-panels × a chunk of 32-column B
/// panels. An item packs its B chunk (≤ `ncMax` columns, ≤ 1.1 MiB, kept in its core's 2 MiB
/// L2), then for each A micro-panel (≤ 18 KiB, stays in the 48 KiB L1) sweeps the B panels, so
/// C is walked row stripe by row stripe. The A block is shared and packed lazily: the first item to
/// need a micro-panel claims and packs it (one atomic flag per panel), the others wait for it or,
/// mostly, find it ready. Items sharing A panels start their sweeps at different panels, so the
/// threads pack different panels at first. Packing overlaps computing and a block costs a single
/// fork/join.
enum GemmSwiftDriver {
  /// Most steps of k per packed block: an A micro-panel is then ≤ 18 KiB, 3/8 of L1.
  static let kcMax = 384
  /// Most columns of op(B) per packed B chunk (one per worker): ≤ 1.1 MiB, half of L2.
  static let ncMax = 768
  /// Most rows of op(A) per shared packed A block.
  static let mcMax = 4096
  /// Below this many multiply-adds a call runs on one thread: a fork/join costs a few µs, what
  /// one core needs for ~0.5 M multiply-adds.
  static let parallelThreshold = 1 << 20
  /// From this many multiply-adds on, two items per thread: a thread slowed by another process
  /// then leaves its second item to the others.
  static let twoRoundsThreshold = 1 << 26
  /// Below this many multiply-adds per (rows × depth) block, a product with a long k is split
  /// along k instead (~100 µs of work per block on one core).
  static let splitDepthBlockWork = 1 << 24

  /// C ← alpha·op(A)·op(B) + beta·C on up to `threads` threads (see `Gemm.sgemm`).
  static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads requested: Int
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
      scale(c: c, ldc: ldc, m: m, n: n, beta: beta)
      return
    }
    let work = m * n * k
    let threads = work < parallelThreshold ? 1 : max(1, requested)
    let mr = GemmMicroKernel.mr
    let depthBlocks = (k + kcMax - 1) / kcMax
    let kcBlock = (k + depthBlocks - 1) / depthBlocks
    let mBlock = min(mcMax / mr * mr, roundUp(m, mr))  // whole micro-panels
    let plan = WorkPlan(m: min(m, mBlock), n: n, threads: threads, work: work)
    // A long k and either too few items to keep every thread busy (e.g. 3 on 2 threads) or a
    // small C (many blocks, each too small to repay a fork/join; partial Cs cheap to add up):
    // give each thread a slice of k instead.
    let rounds = (plan.items + threads - 1) / threads
    let unevenItems = 10 * plan.items < 9 * threads * rounds
    let smallBlocks = m * n * kcBlock < splitDepthBlockWork
    if threads > 1 && (unevenItems || smallBlocks) && k >= 2 * kcMax {
      splitDepth(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
        ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
      return
    }

    let workspace = GemmWorkspace.acquire()
    defer { workspace.release() }
    workspace.reserve(
      sharedFloats: mBlock * kcBlock, perWorkerFloats: plan.chunkColumns * kcBlock, workers: threads,
      flags: mBlock / mr)
    for ic in stride(from: 0, to: m, by: mBlock) {
      let mb = min(mBlock, m - ic)
      for pc in stride(from: 0, to: k, by: kcBlock) {
        let block = Block(
          transA: transA, transB: transB, a: a, lda: lda, b: b, ldb: ldb, alpha: alpha,
          beta: pc == 0 ? beta : 1, c: c, ldc: ldc, n: n, rows: ic..<(ic + mb),
          depth: pc..<min(pc + kcBlock, k), packedA: workspace.shared, ready: workspace.flags)
        block.resetFlags()
        Parallel.forEachWorker(count: plan.items, threads: threads) { item, worker in
          block.run(item: item, plan: plan, packedB: workspace.perWorker(worker))
        }
      }
    }
  }

  /// For a small C and a long k (fully connected layers, weight gradients): each thread multiplies
  /// one slice of k on its own into a private C, then the slices are summed into C.
  private static func splitDepth(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
  ) {
    let slices = min(threads, k / kcMax)
    let workspace = GemmWorkspace.acquire()
    defer { workspace.release() }
    // Slice 0 goes straight into C (with beta); the others into private buffers.
    workspace.reserve(sharedFloats: (slices - 1) * m * n, perWorkerFloats: 0, workers: 0, flags: 0)
    let partial = workspace.shared
    Parallel.forEachWorker(count: slices, threads: threads) { slice, _ in
      let p0 = slice * k / slices, p1 = (slice + 1) * k / slices
      let sliceA = transA ? a + p0 * lda : a + p0
      let sliceB = transB ? b + p0 : b + p0 * ldb
      let out = slice == 0 ? c : partial + (slice - 1) * m * n
      sgemm(
        transA: transA, transB: transB, m: m, n: n, k: p1 - p0, alpha: alpha, a: sliceA, lda: lda,
        b: sliceB, ldb: ldb, beta: slice == 0 ? beta : 0, c: out, ldc: slice == 0 ? ldc : n,
        threads: 1)
    }
    Parallel.forEachChunk(count: m, minChunk: max(1, 4096 / max(n, 1))) { rows in
      for i in rows {
        let row = c + i * ldc
        for s in 1..<slices {
          let src = partial + (s - 1) * m * n + i * n
          for j in 0..<n { row[j] += src[j] }
        }
      }
    }
  }

  /// C ← beta·C (C is not read when beta is 0, as in BLAS).
  static func scale(c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, beta: Float) {
    if beta == 1 { return }
    for i in 0..<m {
      let row = c + i * ldc
      if beta == 0 {
        row.update(repeating: 0, count: n)
      } else {
        for j in 0..<n { row[j] *= beta }
      }
    }
  }

  static func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
  }
}
