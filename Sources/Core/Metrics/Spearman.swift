/// Spearman's rank correlation ρ: Pearson's correlation of the average ranks (ties share the
/// mean of their positions), as SciPy's `spearmanr` computes it.
public enum Spearman {
  /// ρ between `x` and `y`, in [−1, 1]. Throws when the lengths differ, fewer than two pairs
  /// are given, or a value is NaN. When either side is constant, ρ is undefined and NaN is
  /// returned (as SciPy does).
  public static func rho(_ x: [Double], _ y: [Double]) throws -> Double {
    guard x.count == y.count else {
      throw MetricError.invalidInput(
        metric: "Spearman", message: "\(x.count) values against \(y.count)")
    }
    guard x.count >= 2 else {
      throw MetricError.invalidInput(metric: "Spearman", message: "needs at least two pairs")
    }
    guard !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else {
      throw MetricError.invalidInput(metric: "Spearman", message: "values contain NaN")
    }
    return pearson(Ranking.averageRanks(x), Ranking.averageRanks(y))
  }

  /// Pearson's correlation; NaN when either side has zero variance.
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n
    let my = y.reduce(0, +) / n
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for i in x.indices {
      let dx = x[i] - mx
      let dy = y[i] - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return .nan }
    return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
  }
}
