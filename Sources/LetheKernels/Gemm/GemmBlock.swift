import CLetheKernels

#if canImport(Glibc)
  import Glibc
#endif

extension GemmSwiftDriver {
  /// One block of the product: rows `rows` of C, depth `depth`, all n columns; the work of one
  /// parallel region. Immutable, so items on different threads share it; they write disjoint
  /// tiles of C, disjoint per-worker B buffers, and A panels only after claiming them.
  struct Block: @unchecked Sendable {
    // @unchecked Sendable: raw pointers into the caller's operands and the call's workspace,
    // used only while the call that made the block waits for its region.
    let transA: Bool, transB: Bool
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let alpha: Float, beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let n: Int
    let rows: Range<Int>
    let depth: Range<Int>
    /// The block's packed A micro-panels (12 × kc each), filled on demand.
    let packedA: UnsafeMutablePointer<Float>
    /// One flag per A micro-panel: 0 not packed, 1 being packed, 2 ready.
    let ready: UnsafeMutablePointer<Int32>

    var aPanels: Int { (rows.count + GemmMicroKernel.mr - 1) / GemmMicroKernel.mr }

    /// Marks every A panel as not packed (before the region starts).
    func resetFlags() {
      ready.update(repeating: 0, count: aPanels)
    }

    /// Runs work item `item` of `plan`, packing its B chunk into `packedB`.
    func run(item: Int, plan: WorkPlan, packedB: UnsafeMutablePointer<Float>) {
      let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
      let kc = depth.count
      let split = item / plan.columnChunks, chunk = item % plan.columnChunks
      let panels = plan.panels(chunk: chunk)
      let j0 = panels.lowerBound * nr
      let j1 = min(panels.upperBound * nr, n)
      let firstPanelA = split * aPanels / plan.rowSplits
      let panelCount = (split + 1) * aPanels / plan.rowSplits - firstPanelA
      if j0 >= j1 || panelCount <= 0 { return }
      let bPanels = (j1 - j0 + nr - 1) / nr
      GemmPacking.packB(
        transB: transB, b: b, ldb: ldb, depth: depth, firstColumn: j0, lastColumn: j1,
        panels: 0..<bPanels, into: packedB)
      // Items of one row split start at different A panels (see the type's comment).
      let start = plan.sweepStart(chunk: chunk, panels: panelCount)
      for s in 0..<panelCount {
        let ap = firstPanelA + (s + start) % panelCount
        let aPanel = UnsafePointer(packedA + ap * mr * kc)
        waitForPanel(ap)
        let i = rows.lowerBound + ap * mr
        let tileRows = min(mr, rows.upperBound - i)
        let nextRow = rows.lowerBound + (firstPanelA + (s + 1 + start) % panelCount) * mr
        for q in 0..<bPanels {
          let col = j0 + q * nr
          let cols = min(nr, j1 - col)
          let bPanel = UnsafePointer(packedB + q * nr * kc)
          let cTile = c + i * ldc + col
          // The next call's tile (only prefetched): along the row, then the next row stripe.
          let next = UnsafePointer(q + 1 < bPanels ? cTile + nr : c + nextRow * ldc + j0)
          GemmMicroKernel.tile(
            kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, rows: tileRows, cols: cols, beta: beta,
            next: next)
        }
      }
    }

    /// Returns once A micro-panel `ap` is packed: packs it when no other item has claimed it,
    /// else waits for the item that did (packing one panel takes about a microsecond).
    private func waitForPanel(_ ap: Int) {
      let flag = ready + ap
      if lethe_load_acquire_i32(flag) == 2 { return }
      if lethe_claim_i32(flag) {
        let mr = GemmMicroKernel.mr
        let first = rows.lowerBound + ap * mr
        GemmPacking.packA(
          transA: transA, a: a, lda: lda, rows: first..<min(first + mr, rows.upperBound),
          cols: depth, alpha: alpha, into: packedA + ap * mr * depth.count)
        lethe_store_release_i32(flag, 2)
        return
      }
      var spins = 0
      while lethe_load_acquire_i32(flag) != 2 {
        spins += 1
        // The packing thread may have lost its core to another process: stop burning ours.
        if spins < 4096 { lethe_cpu_relax() } else { sched_yield() }
      }
    }
  }
}
