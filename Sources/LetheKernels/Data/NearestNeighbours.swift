/// Brute-force nearest neighbours over an n × n table of squared Euclidean distances: the inner
/// loops of the CODEC coefficient (Core's `ConditionalDependence`, FOCI, LCODEC), here so that
/// they run optimised in debug builds too.
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
  /// difference of a feature not yet in the table (`extra`). On a tie with the best so far,
  /// `tie(count)` — count the tied candidates seen, this one included — must return a uniform
  /// integer below count; the candidate is taken when it returns 0 (reservoir sampling, so each
  /// tied candidate ends up chosen with equal chance). n must be at least 2.
  public static func nearest(
    _ d: UnsafePointer<Double>, count n: Int, extra: UnsafePointer<Double>?, into out: UnsafeMutablePointer<Int>,
    tie: (Int) -> Int
  ) {
    for i in 0..<n {
      let row = d + i * n
      var best = Double.infinity
      var arg = i == 0 ? 1 : 0
      var ties = 0
      for j in 0..<n where j != i {
        var v = row[j]
        if let extra {
          let diff = extra[i] - extra[j]
          v += diff * diff
        }
        if v < best {
          best = v
          arg = j
          ties = 1
        } else if v == best {
          ties += 1
          if tie(ties) == 0 { arg = j }
        }
      }
      out[i] = arg
    }
  }
}
