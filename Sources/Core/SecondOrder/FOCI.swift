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
    let columns = (0..<p).map { features.column($0) }
    var table = ConditionalDependence.DistanceTable(count: y.count)

    var best = -Double.infinity
    var first = 0
    for j in 0..<p {
      let m = table.nearest(plus: columns[j], rng: &rng)
      guard let t = ranks.unconditional(m: m) else {
        throw SecondOrderError.invalidArgument("FOCI is undefined: Y is constant")
      }
      if t > best {
        best = t
        first = j
      }
    }
    var selected = [first]
    var scores = [best]
    table.add(columns[first])
    var remaining = (0..<p).filter { $0 != first }

    while selected.count < limit && !remaining.isEmpty {
      let n = table.nearest(plus: nil, rng: &rng)
      var bestValue = -Double.infinity
      var bestIndex: Int?
      for j in remaining {
        let m = table.nearest(plus: columns[j], rng: &rng)
        // Undefined T: the selected features already determine Y's neighbour ranks.
        guard let t = ranks.conditional(m: m, n: n) else { return Result(selected: selected, scores: scores) }
        if t > bestValue {
          bestValue = t
          bestIndex = j
        }
      }
      guard let chosen = bestIndex, !(stopWhenNotPositive && bestValue <= 0) else { break }
      selected.append(chosen)
      scores.append(bestValue)
      table.add(columns[chosen])
      remaining.removeAll { $0 == chosen }
    }
    return Result(selected: selected, scores: scores)
  }
}
