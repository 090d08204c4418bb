import LetheKernels

/// Azadkia & Chatterjee's conditional dependence coefficient T(Y, Z | X) ("CODEC", The Annals
/// of Statistics 49(6), 2021), the statistic behind FOCI and LCODEC.
///
/// For n samples, R_i = #{j : Y_j ≤ Y_i} and L_i = #{j : Y_j ≥ Y_i}; N(i) is the index of
/// the nearest neighbour of sample i in X-space and M(i) in (X, Z)-space (Euclidean, j ≠ i):
///
///     T(Y, Z | X) = Σ_i (min(R_i, R_M(i)) − min(R_i, R_N(i))) / Σ_i (R_i − min(R_i, R_N(i)))
///     T(Y, Z)     = Σ_i (n·min(R_i, R_M(i)) − L_i²) / Σ_i L_i (n − L_i)        (no X)
///
/// T estimates a quantity in [0, 1]: 0 when Y is conditionally independent of Z given X, 1
/// when Y is a function of Z given X; the estimate can be slightly negative. Ties in the
/// neighbour search are broken uniformly at random, as the paper says, with a seeded
/// generator (so results are reproducible); ties in Y count through the ≤ / ≥ definitions.
/// LCODEC's reference code (`codec/codec.py`, `torch_codec.py`) computes the same formulas
/// with ranks from a sort, which agree when Y has no ties.
///
/// The neighbour search is exact and brute force over a table of squared distances (n² Float64
/// values), which FOCI updates one feature at a time; n is limited to `maximumSamples`.
public enum ConditionalDependence {
  /// The most samples the n × n distance table may hold (8192: 512 MiB).
  public static let maximumSamples = 8192

  /// T(Y, Z | X) for `y` (n values), `z` (n × q) and `x` (n × p, or nil for T(Y, Z)).
  /// Throws for mismatched or non-finite inputs, n < 2, and when T is undefined (Y constant,
  /// or every sample's X-neighbour already has a Y at least as large).
  public static func coefficient(
    y: [Double], z: DenseMatrix, given x: DenseMatrix? = nil, seed: UInt64 = 0
  ) throws -> Double {
    try validate(y: y, features: z)
    if let x { try validate(y: y, features: x) }
    let ranks = YRanks(y)
    var rng = RandomGenerator(seed: seed)
    var table = DistanceTable(count: y.count)
    if let x, x.columns > 0 {
      for c in 0..<x.columns { table.add(x.column(c)) }
      let n = table.nearest(plus: nil, rng: &rng)
      for c in 0..<z.columns { table.add(z.column(c)) }
      let m = table.nearest(plus: nil, rng: &rng)
      guard let t = ranks.conditional(m: m, n: n) else {
        throw SecondOrderError.invalidArgument(
          "T(Y, Z | X) is undefined: Y is no larger at any sample's nearest X-neighbour")
      }
      return t
    }
    for c in 0..<z.columns { table.add(z.column(c)) }
    let m = table.nearest(plus: nil, rng: &rng)
    guard let t = ranks.unconditional(m: m) else {
      throw SecondOrderError.invalidArgument("T(Y, Z) is undefined: Y is constant")
    }
    return t
  }

  static func validate(y: [Double], features: DenseMatrix) throws {
    guard y.count >= 2 else {
      throw SecondOrderError.invalidArgument("the coefficient needs at least 2 samples, got \(y.count)")
    }
    guard y.count <= maximumSamples else {
      throw SecondOrderError.invalidArgument(
        "\(y.count) samples exceed the \(maximumSamples) the n × n distance table may hold")
    }
    guard features.rows == y.count else {
      throw SecondOrderError.dimensionMismatch("\(y.count) responses and \(features.rows) feature rows")
    }
    guard y.allSatisfy({ $0.isFinite }), features.isFinite else {
      throw SecondOrderError.invalidArgument("non-finite values in the coefficient's data")
    }
  }

  /// R_i and L_i of the responses, and the sums the statistics need.
  struct YRanks {
    let r: [Int]
    let l: [Int]

    init(_ y: [Double]) {
      let n = y.count
      let order = y.indices.sorted { y[$0] < y[$1] }
      var r = [Int](repeating: 0, count: n)
      var l = [Int](repeating: 0, count: n)
      var start = 0
      while start < n {
        var end = start
        while end + 1 < n && y[order[end + 1]] == y[order[start]] { end += 1 }
        // Sorted positions start...end hold equal values: #{≤} = end + 1, #{≥} = n − start.
        for k in start...end {
          r[order[k]] = end + 1
          l[order[k]] = n - start
        }
        start = end + 1
      }
      self.r = r
      self.l = l
    }

    /// Σ min(R_i, R_nb(i)).
    func sumOfMinima(_ neighbours: [Int]) -> Int {
      var s = 0
      for i in r.indices { s += Swift.min(r[i], r[neighbours[i]]) }
      return s
    }

    func unconditional(m: [Int]) -> Double? {
      let n = r.count
      var den = 0
      for li in l { den += li * (n - li) }
      guard den > 0 else { return nil }
      var lsq = 0
      for li in l { lsq += li * li }
      return Double(n * sumOfMinima(m) - lsq) / Double(den)
    }

    func conditional(m: [Int], n: [Int]) -> Double? {
      let qn = sumOfMinima(n)
      let den = r.reduce(0, +) - qn
      guard den > 0 else { return nil }
      return Double(sumOfMinima(m) - qn) / Double(den)
    }
  }

  /// Squared Euclidean distances between all samples over the features added so far.
  struct DistanceTable {
    let count: Int
    var squared: [Double]

    init(count: Int) {
      self.count = count
      squared = [Double](repeating: 0, count: count * count)
    }

    /// Adds one feature column to the distances.
    mutating func add(_ column: [Double]) {
      let n = count
      column.withUnsafeBufferPointer { c in
        squared.withUnsafeMutableBufferPointer { d in
          NearestNeighbours.addSquaredDifferences(c.baseAddress!, count: n, to: d.baseAddress!)
        }
      }
    }

    /// Each sample's nearest other sample over the table's features plus `extra` (a column
    /// not yet added), ties broken uniformly at random.
    func nearest(plus extra: [Double]?, rng: inout RandomGenerator) -> [Int] {
      let n = count
      var out = [Int](repeating: 0, count: n)
      squared.withUnsafeBufferPointer { d in
        out.withUnsafeMutableBufferPointer { o in
          if let extra {
            extra.withUnsafeBufferPointer { e in
              NearestNeighbours.nearest(d.baseAddress!, count: n, extra: e.baseAddress!, into: o.baseAddress!) {
                rng.nextInt(below: $0)
              }
            }
          } else {
            NearestNeighbours.nearest(d.baseAddress!, count: n, extra: nil, into: o.baseAddress!) {
              rng.nextInt(below: $0)
            }
          }
        }
      }
      return out
    }

    /// `nearest(plus:)` for each of `candidates` (column indices of `columns`, all n long) at
    /// once, on parallel threads: the neighbours of candidate `candidates[k]` at `k·n ..< (k+1)·n`.
    /// Candidate `candidates[k]` breaks its ties with a generator of its own seeded by
    /// `seeds[k]`, so the result does not depend on the thread count.
    func nearest(plusEach candidates: [Int], of columns: [Double], seeds: [UInt64]) -> [Int] {
      let n = count
      var out = [Int](repeating: 0, count: n * candidates.count)
      var generators = seeds.map { RandomGenerator(seed: $0) }
      squared.withUnsafeBufferPointer { d in
        columns.withUnsafeBufferPointer { c in
          candidates.withUnsafeBufferPointer { k in
            out.withUnsafeMutableBufferPointer { o in
              generators.withUnsafeMutableBufferPointer { g in
                NearestNeighbours.nearest(
                  d.baseAddress!, count: n, columns: c.baseAddress!, candidates: k, into: o.baseAddress!
                ) { position, tied in g[position].nextInt(below: tied) }
              }
            }
          }
        }
      }
      return out
    }
  }
}
