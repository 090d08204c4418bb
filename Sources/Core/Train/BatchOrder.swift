/// How a shuffled epoch orders its samples.
public enum BatchOrder: String, Sendable {
  /// A seeded permutation of the pool itself (the default).
  case permuteIndices
  /// A seeded permutation of the *whole* source, restricted to the pool (each index visited
  /// once). Training on a subset D \ x* then sees the retained samples in the same relative order
  /// as a run with the same seed on all of D: "M0's data order minus the forget set", which makes
  /// retraining a replay of M0's run without x*.
  case permuteSource
}

/// The one owner of epoch order in Lethe: which samples of a pool an epoch visits, in which
/// order, and how they are cut into mini-batches. The `Trainer`, the Lua `ds:batches` and the
/// methods that draw their own batches (NegGrad+'s forget batches) all order their epochs here.
///
/// The order is drawn from a generator the caller owns and passes in, so a stream of epochs is
/// one stream of draws: the same seed gives the same epochs on every run.
public struct EpochOrder: Sendable {
  /// How a shuffled epoch is drawn.
  public let mode: BatchOrder
  /// The positions an epoch visits (positions in a source of `sourceCount` samples).
  public let pool: [Int]
  /// The size of the source the pool indexes.
  public let sourceCount: Int
  /// False keeps the pool's order in every epoch (no draws).
  public let shuffle: Bool
  /// Membership of the pool, for `.permuteSource` over a proper subset.
  private let members: Set<Int>?
  /// Samples per epoch.
  public let count: Int

  /// Epochs over `pool`, positions in a source of `sourceCount` samples.
  public init(_ mode: BatchOrder = .permuteIndices, pool: [Int], sourceCount: Int, shuffle: Bool = true) {
    self.mode = mode
    self.pool = pool
    self.sourceCount = sourceCount
    self.shuffle = shuffle
    // All of the source needs no membership test; a subset is visited once per index.
    let members = shuffle && mode == .permuteSource && pool.count != sourceCount ? Set(pool) : nil
    self.members = members
    count = shuffle && mode == .permuteSource ? (members?.count ?? sourceCount) : pool.count
  }

  /// Epochs over every position `0..<sampleCount` of a source.
  public init(sampleCount: Int, shuffle: Bool = true) {
    self.init(pool: Array(0..<max(0, sampleCount)), sourceCount: max(0, sampleCount), shuffle: shuffle)
  }

  /// The next epoch's order, drawing from `generator` (nothing is drawn without `shuffle`).
  public func next(using generator: inout RandomGenerator) -> [Int] {
    guard shuffle else { return pool }
    switch mode {
    case .permuteIndices:
      return generator.permutation(pool.count).map { pool[$0] }
    case .permuteSource:
      let all = generator.permutation(sourceCount)
      guard let m = members else { return all }
      return all.filter(m.contains)
    }
  }

  /// The number of batches of `size` in an epoch (a last, smaller batch is dropped with
  /// `dropLast`).
  public func batchCount(size: Int, dropLast: Bool = false) -> Int {
    EpochOrder.batchCount(count, size: size, dropLast: dropLast)
  }

  /// The next epoch cut into batches of `size` (see `batches(of:size:dropLast:)`).
  public func nextBatches(size: Int, dropLast: Bool = false, using generator: inout RandomGenerator) throws
    -> [[Int]]
  {
    try EpochOrder.batches(of: next(using: &generator), size: size, dropLast: dropLast)
  }

  /// `order` cut into consecutive batches of `size` positions; the last may be smaller, or is
  /// dropped with `dropLast`. Throws when `size` is not positive.
  public static func batches(of order: [Int], size: Int, dropLast: Bool = false) throws -> [[Int]] {
    guard size > 0 else {
      throw TrainingError.invalidConfiguration("batch size \(size) (must be positive)")
    }
    return (0..<batchCount(order.count, size: size, dropLast: dropLast)).map { b in
      Array(order[(b * size)..<min(order.count, (b + 1) * size)])
    }
  }

  private static func batchCount(_ n: Int, size: Int, dropLast: Bool) -> Int {
    guard size > 0 else { return 0 }
    return dropLast ? n / size : (n + size - 1) / size
  }
}
