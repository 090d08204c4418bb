/// Lethe's own GEMM: Goto/BLIS-style blocking around `GemmMicroKernel`.
///
/// For each block of `nc` columns and `kc` steps of k, the B block is packed once (shared by all
/// threads, ~`kc`×32 floats per micro-panel so a micro-panel stays in L1), then work items (a block
/// of ≤ `mcMax` rows × a chunk of column panels) are spread over the threads; each packs its A
/// block (≤ `mcMax`×`kc` floats, sized for L2) and sweeps micro-tiles across it.
enum GemmSwiftDriver {
  /// Steps of k per packed block.
  static let kcMax = 256
  /// Most rows of op(A) per packed A block.
  static let mcMax = 192
  /// Most columns of op(B) per packed B block.
  static let ncMax = 4096
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
    let ncBlock = min(ncMax, roundUp(n, nr))
    let plan = WorkPlan(m: m, n: min(n, ncBlock), threads: threads)

    let workspace = GemmWorkspace.acquire()
    defer { workspace.release() }
    workspace.reserve(bFloats: kcBlock * ncBlock, aFloats: plan.mc * kcBlock, workers: threads)
    let packedB = workspace.packedB

    for jc in stride(from: 0, to: n, by: ncBlock) {
      let nc = min(ncBlock, n - jc)
      let panels = (nc + nr - 1) / nr
      let chunkPanels = (panels + plan.nChunks - 1) / plan.nChunks
      for pc in stride(from: 0, to: k, by: kcBlock) {
        let depth = pc..<min(pc + kcBlock, k)
        let kc = depth.count
        let betaHere: Float = pc == 0 ? beta : 1

        let packChunks = threads == 1 ? 1 : min(panels, 2 * threads)
        Parallel.forEachWorker(count: packChunks, threads: threads) { chunk, _ in
          let range = (chunk * panels / packChunks)..<((chunk + 1) * panels / packChunks)
          GemmPacking.packB(
            transB: transB, b: b, ldb: ldb, depth: depth, firstColumn: jc, lastColumn: jc + nc,
            panels: range, into: packedB)
        }

        Parallel.forEachWorker(count: plan.mBlocks * plan.nChunks, threads: threads) { item, worker in
          let i0 = (item / plan.nChunks) * plan.mc
          let rows = i0..<min(i0 + plan.mc, m)
          let firstPanel = (item % plan.nChunks) * chunkPanels
          let lastPanel = min(firstPanel + chunkPanels, panels)
          if firstPanel >= lastPanel { return }
          let packedA = workspace.packedA(worker: worker)
          GemmPacking.packA(
            transA: transA, a: a, lda: lda, rows: rows, cols: depth, alpha: alpha, into: packedA)
          for q in firstPanel..<lastPanel {
            let bPanel = UnsafePointer(packedB + q * nr * kc)
            let col = jc + q * nr
            let cols = min(nr, jc + nc - col)
            var panelA = UnsafePointer(packedA)
            for i in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
              let tileRows = min(mr, rows.upperBound - i)
              let cTile = c + i * ldc + col
              if tileRows == mr && cols == nr {
                GemmMicroKernel.run(kc: kc, a: panelA, b: bPanel, c: cTile, ldc: ldc, beta: betaHere)
              } else {
                edgeTile(
                  kc: kc, a: panelA, b: bPanel, c: cTile, ldc: ldc, rows: tileRows, cols: cols,
                  beta: betaHere)
              }
              panelA += mr * kc
            }
          }
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
      GemmMicroKernel.run(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0)
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

  /// How one packed B block's work splits into items: `mBlocks` row blocks of `mc` rows (a
  /// multiple of the micro-kernel's rows) × `nChunks` chunks of column panels, enough items for
  /// every thread (a few per thread, so a thread slowed by another process does not hold up the rest).
  struct WorkPlan {
    let mc: Int
    let mBlocks: Int
    let nChunks: Int

    init(m: Int, n: Int, threads: Int) {
      let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
      let wanted = threads == 1 ? 1 : 3 * threads
      var blocks = (m + GemmSwiftDriver.mcMax - 1) / GemmSwiftDriver.mcMax
      if threads > 1 {
        // As many row blocks as the rows allow (≥ 4 micro-tiles each), up to `wanted`.
        let byRows = max(1, m / (4 * mr))
        blocks = max(blocks, min(wanted, byRows))
      }
      let rowsPerBlock = (m + blocks - 1) / blocks
      mc = (rowsPerBlock + mr - 1) / mr * mr
      mBlocks = (m + mc - 1) / mc
      let panels = (n + nr - 1) / nr
      nChunks = threads == 1 ? 1 : max(1, min(panels, (wanted + mBlocks - 1) / mBlocks))
    }
  }
}
