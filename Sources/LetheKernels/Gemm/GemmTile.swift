extension GemmMicroKernel {
  /// C[0..<rows, 0..<cols] ← op-packed A panel · B panel + beta·C: the full 12-, 8- or 4-row
  /// kernels where the tile fits them, else `edgeTile`. `next` is only prefetched.
  @inline(__always)
  static func tile(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, rows: Int, cols: Int, beta: Float, next: UnsafePointer<Float>
  ) {
    if cols == nr && rows == mr {
      run(kc: kc, a: a, b: b, c: c, ldc: ldc, beta: beta, next: next)
    } else if cols == nr && rows == 8 {
      run8(kc: kc, a: a, b: b, c: c, ldc: ldc, beta: beta, next: next)
    } else if cols == nr && rows == 4 {
      run4(kc: kc, a: a, b: b, c: c, ldc: ldc, beta: beta, next: next)
    } else {
      edgeTile(kc: kc, a: a, b: b, c: c, ldc: ldc, rows: rows, cols: cols, beta: beta)
    }
  }

  /// A partial tile: the kernel writes a full tile into stack scratch, then the valid corner is
  /// merged into C with beta.
  @inline(never)
  static func edgeTile(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, rows: Int, cols: Int, beta: Float
  ) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { tile in
      let t = tile.baseAddress!
      if rows <= 4 {
        run4(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0, next: t)
      } else if rows <= 8 {
        run8(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0, next: t)
      } else {
        run(kc: kc, a: a, b: b, c: t, ldc: nr, beta: 0, next: t)
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
}
