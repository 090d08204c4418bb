/// Share I of N of a sweep, written `I/N` (1 ≤ I ≤ N), as `lethe run --shard I/N` takes it.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
  /// Which share, from 1.
  public var index: Int
  /// How many shares.
  public var count: Int

  /// Share `index` of `count`.
  public init(index: Int, count: Int) throws {
    guard count >= 1, (1...count).contains(index) else {
      throw ExperimentError.invalidSchedule("shard \(index)/\(count): want I/N with 1 ≤ I ≤ N")
    }
    self.index = index
    self.count = count
  }

  /// Parses `I/N`.
  public init(parsing text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
      throw ExperimentError.invalidSchedule("shard '\(text)': write I/N, e.g. 2/8")
    }
    try self.init(index: i, count: n)
  }

  /// `I/N`.
  public var description: String { "\(index)/\(count)" }
}

/// Splits work into shares of nearly equal cost: longest processing time first — items by cost,
/// dearest first, each to the share with the least cost so far (ties: the lower share, then the
/// item's order), which keeps the dearest share within one item of the average. Deterministic:
/// the same items and costs always give the same shares, so every task of a job array computes
/// its own share and all agree.
public enum Shards {
  /// The indices of `costs` in each of `count` shares (share k at position k − 1), each share's
  /// indices in increasing order.
  public static func assign(costs: [Double], count: Int) -> [[Int]] {
    let n = max(count, 1)
    var shares = [[Int]](repeating: [], count: n)
    var totals = [Double](repeating: 0, count: n)
    let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
    for i in order {
      var best = 0
      for k in 1..<n where totals[k] < totals[best] { best = k }
      shares[best].append(i)
      totals[best] += costs[i]
    }
    return shares.map { $0.sorted() }
  }

  /// The items of `shard` among `items` weighed by `cost`.
  public static func pick<T>(_ items: [T], shard: Shard, cost: (T) -> Double) -> [T] {
    assign(costs: items.map(cost), count: shard.count)[shard.index - 1].map { items[$0] }
  }
}
