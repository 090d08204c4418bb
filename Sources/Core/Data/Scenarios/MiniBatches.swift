/// Seeded shuffled mini-batches over positions `0..<sampleCount` of any source (a dataset or a
/// view of one): each epoch is a fresh permutation drawn from (seed, epoch), so the same seed gives
/// the same batch order on every run, and epochs can be replayed in any order. Only indices are
/// produced; the data is never copied.
public struct MiniBatches: Sendable, Equatable {
  /// How many positions are drawn from.
  public let sampleCount: Int
  /// Samples per batch (the last batch may be smaller unless `dropLast`).
  public let batchSize: Int
  /// Seed of the shuffle.
  public let seed: UInt64
  /// False keeps the original order (evaluation).
  public let shuffle: Bool
  /// Drop a last, incomplete batch.
  public let dropLast: Bool

  /// Batches over `sampleCount` positions; throws on an empty source or a non-positive batch size.
  public init(sampleCount: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true,
              dropLast: Bool = false) throws {
    guard sampleCount > 0 else {
      throw DataError.invalidArgument(name: "mini-batches", problem: "the source holds no samples")
    }
    guard batchSize > 0 else {
      throw DataError.invalidArgument(name: "batch size", problem: "\(batchSize) (must be positive)")
    }
    self.sampleCount = sampleCount
    self.batchSize = batchSize
    self.seed = seed
    self.shuffle = shuffle
    self.dropLast = dropLast
  }

  /// Batches over every sample of `source`.
  public init(over source: any BatchSource, batchSize: Int, seed: UInt64, shuffle: Bool = true,
              dropLast: Bool = false) throws {
    try self.init(sampleCount: source.sampleCount, batchSize: batchSize, seed: seed, shuffle: shuffle,
                  dropLast: dropLast)
  }

  /// Number of batches per epoch.
  public var batchesPerEpoch: Int {
    dropLast ? sampleCount / batchSize : (sampleCount + batchSize - 1) / batchSize
  }

  /// The sample order of `epoch` (0-based).
  public func order(epoch: Int) -> [Int] {
    guard shuffle else { return Array(0..<sampleCount) }
    var generator = RandomGenerator(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03)
    return generator.permutation(sampleCount)
  }

  /// The batches of `epoch`, each a list of positions in the source.
  public func epoch(_ epoch: Int) -> [[Int]] {
    let order = self.order(epoch: epoch)
    return (0..<batchesPerEpoch).map { b in
      Array(order[(b * batchSize)..<min(order.count, (b + 1) * batchSize)])
    }
  }
}
