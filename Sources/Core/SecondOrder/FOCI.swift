/// Feature Ordering by Conditional Independence (Azadkia & Chatterjee 2021): greedy forward
/// selection of the features Y depends on, by the conditional dependence coefficient T.
///
/// The first feature maximises T(Y, X_j); each next one maximises T(Y, X_j | selected), and
/// selection stops when that maximum is ≤ 0 (with `stopWhenNotPositive`), at `maxSelected`,
/// or when the selection leaves nothing to explain (T undefined). As in LCODEC's reference
/// (`codec/foci.py`), the first feature is always kept; the paper would return an empty set
/// when its T ≤ 0. Ties between candidates go to the lowest index.
///
/// LCODEC runs it with Y = the loss under input perturbations and the features = the mean
/// activation of each layer slice, to choose the slices to edit.
public enum FOCI {
  /// The selected feature indices in selection order, with the T value each had when chosen.
  public struct Result: Sendable, Equatable {
    /// Feature (column) indices, in the order chosen.
    public let selected: [Int]
    /// T(Y, X_first) for the first, then T(Y, X_j | earlier ones) for each next.
    public let scores: [Double]
  }

  /// Selects columns of `features` (n × p) that `y` (n values) depends on.
  public static func select(
    y: [Double], features: DenseMatrix, maxSelected: Int? = nil, stopWhenNotPositive: Bool = true,
    seed: UInt64 = 0
  ) throws -> Result {
    try ConditionalDependence.validate(y: y, features: features)
    let p = features.columns
    guard p > 0 else { return Result(selected: [], scores: []) }
    let limit = Swift.min(maxSelected ?? p, p)
    guard limit > 0 else {
      throw SecondOrderError.invalidArgument("maxSelected must be positive, got \(limit)")
    }
    let ranks = ConditionalDependence.YRanks(y)
    var rng = RandomGenerator(seed: seed)
    let n = y.count
    // Column-major copy: candidate k's values at k·n, as the neighbour search reads them.
    var columns = [Double](repeating: 0, count: n * p)
    for j in 0..<p {
      let c = features.column(j)
      for i in 0..<n { columns[j * n + i] = c[i] }
    }
    var table = ConditionalDependence.DistanceTable(count: n)
    // T of each candidate added to the table (nil where undefined), given the selection's own
    // neighbours `given` (nil: unconditional). Candidates go 256 at a time, which bounds the
    // neighbour lists' memory; each breaks its ties with a generator of its own.
    func coefficients(of candidates: [Int], round: Int, given: [Int]?) -> [Double?] {
      var out: [Double?] = []
      for start in stride(from: 0, to: candidates.count, by: 256) {
        let batch = Array(candidates[start..<Swift.min(start + 256, candidates.count)])
        let seeds = batch.map { Self.tieSeed(seed, round: round, feature: $0) }
        let m = table.nearest(plusEach: batch, of: columns, seeds: seeds)
        for k in batch.indices {
          let mk = Array(m[(k * n)..<((k + 1) * n)])
          out.append(given.map { ranks.conditional(m: mk, n: $0) } ?? ranks.unconditional(m: mk))
        }
      }
      return out
    }

    var best = -Double.infinity
    var first = 0
    let all = Array(0..<p)
    for (j, t) in coefficients(of: all, round: 0, given: nil).enumerated() {
      guard let t else { throw SecondOrderError.invalidArgument("FOCI is undefined: Y is constant") }
      if t > best {
        best = t
        first = j
      }
    }
    var selected = [first]
    var scores = [best]
    table.add(features.column(first))
    var remaining = all.filter { $0 != first }

    while selected.count < limit && !remaining.isEmpty {
      let nb = table.nearest(plus: nil, rng: &rng)
      var bestValue = -Double.infinity
      var bestIndex: Int?
      for (j, t) in zip(remaining, coefficients(of: remaining, round: selected.count, given: nb)) {
        // Undefined T: the selected features already determine Y's neighbour ranks.
        guard let t else { return Result(selected: selected, scores: scores) }
        if t > bestValue {
          bestValue = t
          bestIndex = j
        }
      }
      guard let chosen = bestIndex, !(stopWhenNotPositive && bestValue <= 0) else { break }
      selected.append(chosen)
      scores.append(bestValue)
      table.add(features.column(chosen))
      remaining.removeAll { $0 == chosen }
    }
    return Result(selected: selected, scores: scores)
  }

  /// The seed of feature `feature`'s tie-breaking in round `round` (0: choosing the first).
  static func tieSeed(_ seed: UInt64, round: Int, feature: Int) -> UInt64 {
    seed ^ (UInt64(truncatingIfNeeded: round) &* 0x9E37_79B9_7F4A_7C15)
      ^ (UInt64(truncatingIfNeeded: feature) &* 0xD1B5_4A32_D192_ED03)
  }
}
