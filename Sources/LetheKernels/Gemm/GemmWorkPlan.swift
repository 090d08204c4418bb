extension GemmSwiftDriver {
  /// How one block's work splits into items: `rowSplits` ranges of A micro-panels ×
  /// `columnChunks` chunks of B panels (each item packs its own B chunk, so row splits repack B;
  /// A panels are packed once whatever the split).
  struct WorkPlan {
    let rowSplits: Int
    let columnChunks: Int
    /// Panels of 32 columns in all.
    let columnPanels: Int
    /// Columns of the widest chunk (its packed B needs `chunkColumns`·kc floats).
    let chunkColumns: Int
    /// How many items of one row split run at once (at most one per thread): their sweeps over
    /// the shared A panels start this far apart, `panels / stagger`, so that each packs an equal
    /// share of them.
    let stagger: Int

    /// A plan for `m` rows (one A block) × `n` columns on `threads` threads; `work` is the whole
    /// product's m·n·k. One item per thread, or two from `twoRoundsThreshold` on; chunks of at
    /// least 4 panels (an A micro-panel is then reused from L1 at least 4 times) before rows
    /// are split.
    init(m: Int, n: Int, threads: Int, work: Int) {
      let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
      let wanted = threads == 1 ? 1 : work >= GemmSwiftDriver.twoRoundsThreshold ? 2 * threads : threads
      let rowPanels = (m + mr - 1) / mr
      columnPanels = (n + nr - 1) / nr
      var chunks = (n + GemmSwiftDriver.ncMax - 1) / GemmSwiftDriver.ncMax
      var splits = 1
      if chunks < wanted {
        chunks = max(chunks, min((columnPanels + 3) / 4, wanted))
        if chunks < wanted {
          splits = max(1, min((wanted + chunks - 1) / chunks, rowPanels / 2))
        }
      } else if threads > 1 {
        chunks = min(columnPanels, (chunks + threads - 1) / threads * threads)
      }
      columnChunks = chunks
      rowSplits = splits
      chunkColumns = (columnPanels + chunks - 1) / chunks * nr
      stagger = max(1, min(threads, chunks))
    }

    /// The first A panel of `count` that items of column chunk `j` sweep.
    func sweepStart(chunk j: Int, panels count: Int) -> Int {
      j % stagger * count / stagger
    }

    /// Work items per block.
    var items: Int { rowSplits * columnChunks }

    /// The column panels of chunk `j` (chunk sizes differ by at most one panel).
    func panels(chunk j: Int) -> Range<Int> {
      (j * columnPanels / columnChunks)..<((j + 1) * columnPanels / columnChunks)
    }
  }
}
