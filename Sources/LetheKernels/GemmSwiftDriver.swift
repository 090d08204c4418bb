/// Lethe's own GEMM: Goto/BLIS-style blocking around `GemmMicroKernel`.
///
/// For each block of ≤ `mcMax` rows and `kcMax` steps of k, op(A) is packed once into micro-panels
/// of 12 rows (shared by all threads; it lives in L3). Work items, a range of those micro-panels ×
/// a chunk of ≤ `ncMax` columns, are spread over the threads: each packs its B chunk (~1 MiB, kept
/// in its core's L2), then for each A micro-panel (18 KiB, stays in L1) sweeps the B micro-panels
/// along the row, so C is walked row-stripe by row-stripe.
enum GemmSwiftDriver {
  /// Steps of k per packed block.
  static let kcMax = 384
  /// Most columns of op(B) per packed B chunk (one per worker, sized for L2).
  static let ncMax = 768
  /// Most rows of op(A) per shared packed A block.
  static let mcMax = 4096
  /// Below this many multiply-adds a call runs on one thread (waking a worker costs ~µs).
  static let parallelThreshold = 1 << 18

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
    let threads = m * n * k < parallelThreshold ? 1 : max(1, requested)
    let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
    let kcBlock = min(kcMax, k)
    let mBlock = min(mcMax / mr * mr, roundUp(m, mr))  // whole micro-panels
    let plan = WorkPlan(m: min(m, mBlock), n: n, threads: threads)
    // Too few items to keep every thread busy (e.g. 3 items on 2 threads), and a long k: give
    // each thread a slice of k instead.
    let rounds = (plan.items + threads - 1) / threads
    if threads > 1 && 10 * plan.items < 9 * threads * rounds && k >= 2 * kcMax {
      splitDepth(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
        ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
      return
    }

    let workspace = GemmWorkspace.acquire()
    defer { workspace.release() }
    workspace.reserve(
      sharedFloats: mBlock * kcBlock, perWorkerFloats: plan.chunkColumns * kcBlock, workers: threads)
    let packedA = workspace.shared

    for ic in stride(from: 0, to: m, by: mBlock) {
      let mb = min(mBlock, m - ic)
      let aPanels = (mb + mr - 1) / mr
      for pc in stride(from: 0, to: k, by: kcBlock) {
        let depth = pc..<min(pc + kcBlock, k)
        let kc = depth.count
        let betaHere: Float = pc == 0 ? beta : 1

        let packChunks = threads == 1 ? 1 : min(aPanels, 2 * threads)
        Parallel.forEachWorker(count: packChunks, threads: threads) { chunk, _ in
          let first = chunk * aPanels / packChunks, last = (chunk + 1) * aPanels / packChunks
          if first == last { return }
          GemmPacking.packA(
            transA: transA, a: a, lda: lda, rows: (ic + first * mr)..<min(ic + last * mr, ic + mb),
            cols: depth, alpha: alpha, into: packedA + first * mr * kc)
        }

        Parallel.forEachWorker(count: plan.items, threads: threads) { item, worker in
          let split = item / plan.columnChunks
          let panels = plan.panels(chunk: item % plan.columnChunks)
          let j0 = panels.lowerBound * nr
          let j1 = min(panels.upperBound * nr, n)
          if j0 >= j1 { return }
          let firstPanelA = split * aPanels / plan.rowSplits
          let lastPanelA = (split + 1) * aPanels / plan.rowSplits
          if firstPanelA >= lastPanelA { return }
          let packedB = workspace.perWorker(worker)
          let bPanels = (j1 - j0 + nr - 1) / nr
          GemmPacking.packB(
            transB: transB, b: b, ldb: ldb, depth: depth, firstColumn: j0, lastColumn: j1,
            panels: 0..<bPanels, into: packedB)
          for ap in firstPanelA..<lastPanelA {
            let aPanel = UnsafePointer(packedA + ap * mr * kc)
            let i = ic + ap * mr
            let tileRows = min(mr, ic + mb - i)
            for q in 0..<bPanels {
              let col = j0 + q * nr
              let cols = min(nr, j1 - col)
              let bPanel = UnsafePointer(packedB + q * nr * kc)
              let cTile = c + i * ldc + col
              // The next call's tile: along the row, then the start of the next row stripe.
              let next = UnsafePointer(q + 1 < bPanels ? cTile + nr : c + (i + mr) * ldc + j0)
              if cols == nr && tileRows == mr {
                GemmMicroKernel.run(
                  kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, beta: betaHere, next: next)
              } else if cols == nr && tileRows == 8 {
                GemmMicroKernel.run8(
                  kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, beta: betaHere, next: next)
              } else if cols == nr && tileRows == 4 {
                GemmMicroKernel.run4(
                  kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, beta: betaHere, next: next)
              } else {
                edgeTile(
                  kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, rows: tileRows, cols: cols,
                  beta: betaHere)
              }
            }
          }
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
    workspace.reserve(sharedFloats: (slices - 1) * m * n, perWorkerFloats: 0, workers: 0)
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

  /// A partial tile: the kernel writes a full tile into stack scratch, then the valid corner is
  /// merged into C.
  private static func edgeTile(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, rows: Int, cols: Int, beta: Float
  ) {
    let nr = GemmMicroKernel.nr
    withUnsafeTemporaryAllocation(of: Float.self, capacity: GemmMicroKernel.mr * nr) { tile in
      let t = tile.baseAddress!
      if rows <= 4 {
        GemmMicroKernel.run4(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0, next: t)
      } else if rows <= 8 {
        GemmMicroKernel.run8(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0, next: t)
      } else {
        GemmMicroKernel.run(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0, next: t)
      }
      for i in 0..<rows {
        let row = c + i * ldc
        let src = t + i * nr
        if beta == 0 {
          for j in 0..<cols { row[j] = src[j] }
        } else {
          for j in 0..<cols { row[j] = src[j] + beta * row[j] }
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

  private static func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
  }

  /// How one packed A block's work splits into items: `rowSplits` ranges of micro-panel rows ×
  /// `columnChunks` chunks of column panels (each item packs its own B chunk), enough items for
  /// every thread, evenly sized: two per thread, so a thread slowed by another process does not
  /// hold up the rest.
  struct WorkPlan {
    let rowSplits: Int
    let columnChunks: Int
    /// Panels of 32 columns in all.
    let columnPanels: Int
    /// Columns of the widest chunk (its packed B needs `chunkColumns`·kc floats).
    let chunkColumns: Int

    init(m: Int, n: Int, threads: Int) {
      let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
      let wanted = threads == 1 ? 1 : 2 * threads
      columnPanels = (n + nr - 1) / nr
      var chunks = (n + GemmSwiftDriver.ncMax - 1) / GemmSwiftDriver.ncMax
      var splits = 1
      if chunks < wanted {
        // Narrow the column chunks first (down to 4 panels: B is then packed once in all), then
        // split rows (each split repacks its B chunk, cheap when it has ≥ 8 row panels).
        chunks = max(chunks, min((columnPanels + 3) / 4, wanted))
        if chunks < wanted {
          splits = max(1, min((wanted + chunks - 1) / chunks, (m + mr - 1) / mr / 8))
        }
      } else if threads > 1 {
        chunks = min(columnPanels, (chunks + threads - 1) / threads * threads)
      }
      columnChunks = chunks
      rowSplits = splits
      chunkColumns = (columnPanels + chunks - 1) / chunks * nr
    }

    /// Work items per packed A block.
    var items: Int { rowSplits * columnChunks }

    /// The column panels of chunk `j` (chunk sizes differ by at most one panel).
    func panels(chunk j: Int) -> Range<Int> {
      (j * columnPanels / columnChunks)..<((j + 1) * columnPanels / columnChunks)
    }
  }
}
