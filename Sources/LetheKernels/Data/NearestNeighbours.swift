import CLetheKernels

/// Brute-force nearest neighbours over an n × n table of squared Euclidean distances: the inner
/// loops of the CODEC coefficient (Core's `ConditionalDependence`, FOCI, LCODEC), here so that
/// they run optimised in debug builds too.
///
/// A row's minimum is found in two vectorised passes (`lethe_neighbours.h`): the smallest value,
/// then the columns that reach it (rarely more than one), so ties cost nothing until they happen.
public enum NearestNeighbours {
  /// Adds the squared differences of one feature (`column`, n values) to the row-major table `d`.
  public static func addSquaredDifferences(_ column: UnsafePointer<Double>, count n: Int, to d: UnsafeMutablePointer<Double>) {
    for i in 0..<n {
      let ci = column[i]
      let row = d + i * n
      for j in 0..<n {
        let diff = ci - column[j]
        row[j] += diff * diff
      }
    }
  }

  /// For each sample i, the j ≠ i with the smallest `d[i·n + j]` plus, when given, the squared
  /// difference of a feature not yet in the table (`extra`). When several j reach the minimum,
  /// `tie(count)` is called for the second, third, … of them in order of j (count: the tied
  /// columns seen so far, this one included) and must return a uniform integer below count; the
  /// column is taken when it returns 0 (reservoir sampling: each tied column is chosen with equal
  /// chance). n must be at least 2.
  public static func nearest(
    _ d: UnsafePointer<Double>, count n: Int, extra: UnsafePointer<Double>?, into out: UnsafeMutablePointer<Int>,
    tie: (Int) -> Int
  ) {
    let zeros = extra == nil ? UnsafeMutablePointer<Double>.allocate(capacity: n) : nil
    defer { zeros?.deallocate() }
    zeros?.initialize(repeating: 0, count: n)
    let e = extra ?? UnsafePointer(zeros!)
    for i in 0..<n { out[i] = nearestInRow(d + i * n, count: n, row: i, extra: e, tie: tie) }
  }

  /// `nearest` for many extra features at once: for each candidate c in `candidates` (a column
  /// index of `columns`, whose column k holds n values at `columns + k·n`), writes each sample's
  /// nearest neighbour over the table plus that column to `out + position·n`. The table is read
  /// once per block of rows for all candidates rather than once per candidate, and the
  /// candidates are split over `Parallel.threadCount` threads, so `tie(position, count)` — the
  /// tie-breaking of the candidate at `position`, as in `nearest` — is called concurrently for
  /// different positions and must draw from one random stream per position.
  public static func nearest(
    _ d: UnsafePointer<Double>, count n: Int, columns: UnsafePointer<Double>, candidates: UnsafeBufferPointer<Int>,
    into out: UnsafeMutablePointer<Int>, tie: (Int, Int) -> Int
  ) {
    // 32 rows of 1,000 samples are 256 KB: they stay in the L2 cache while every candidate of
    // this thread's share sweeps them.
    let block = max(1, (1 << 18) / max(1, n * MemoryLayout<Double>.stride))
    Parallel.forEachChunk(count: candidates.count) { share in
      for start in stride(from: 0, to: n, by: block) {
        let rows = start..<min(n, start + block)
        for position in share {
          let e = columns + candidates[position] * n
          let o = out + position * n
          for i in rows { o[i] = nearestInRow(d + i * n, count: n, row: i, extra: e, tie: { tie(position, $0) }) }
        }
      }
    }
  }

  /// Row i's nearest column j ≠ i by `row[j] + (e[i] − e[j])²`, ties broken by `tie`.
  @inline(__always)
  static func nearestInRow(
    _ row: UnsafePointer<Double>, count n: Int, row i: Int, extra e: UnsafePointer<Double>, tie: (Int) -> Int
  ) -> Int {
    let ei = e[i]
    let best = min(lethe_nn_smallest(row, e, ei, 0, i), lethe_nn_smallest(row, e, ei, i + 1, n))
    // Almost always one column reaches the minimum; the buffer holds the tied ones when a few do.
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: 16) { buffer in
      let out = buffer.baseAddress!
      var arg = i == 0 ? 1 : 0
      var ties = 0
      func scan(_ lo: Int, _ hi: Int) {
        let found = lethe_nn_matches(row, e, ei, lo, hi, best, out, 16)
        if found <= 16 {
          for k in 0..<found { take(out[k], &arg, &ties, tie) }
        } else {
          for j in lo..<hi where lethe_nn_value(row, e, ei, j) == best { take(j, &arg, &ties, tie) }
        }
      }
      scan(0, i)
      scan(i + 1, n)
      return arg
    }
  }

  @inline(__always)
  static func take(_ j: Int, _ arg: inout Int, _ ties: inout Int, _ tie: (Int) -> Int) {
    ties += 1
    if ties == 1 || tie(ties) == 0 { arg = j }
  }
}
