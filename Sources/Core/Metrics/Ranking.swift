/// Ranks with ties sharing the average of the positions they occupy (SciPy's `rankdata`
/// "average" method), 1-based: the smallest value gets rank 1.
public enum Ranking {
  /// The average ranks of `values`. NaN values are not allowed (callers check).
  public static func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
      // Positions start...end (0-based) hold equal values: each gets the mean 1-based position.
      let rank = Double(start + end + 2) / 2
      for k in start...end { ranks[order[k]] = rank }
      start = end + 1
    }
    return ranks
  }
}
