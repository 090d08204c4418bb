import Core

/// How SISA cuts a training set into shards and each shard into slices (Bourtoule et al., 2021;
/// reference code `cleverhans-lab/machine-unlearning`, `distribution.py` and `sisa.py`).
///
/// - Shards: a seeded permutation of the source's positions cut into `shards` contiguous parts of
///   ⌊n/S⌋ (the last takes the remainder), as `distribution.py --distribution uniform` cuts the
///   data file (whose order the data preparation shuffled).
/// - Slices: slice r (0-based) of a shard trains on the shard's first (r+1)·⌊m/R⌋ positions (the
///   last slice on all m), for `sisa.py`'s share of the epochs: with E epochs and R slices,
///   a = 2R/(R+1)·E/R and slice r gets ⌊(r+1)a⌋ − ⌊ra⌋ epochs (E in total for R = 1).
///
/// The assignment depends on the source's size and the seed only, so removing samples leaves
/// every other sample in its shard and slice.
public struct ShardPlan: Sendable, Equatable {
  /// S.
  public let shards: Int
  /// R.
  public let slices: Int
  /// Seeds the permutation that assigns positions to shards.
  public let seed: UInt64

  /// A plan; throws unless S ≥ 1 and R ≥ 1.
  public init(shards: Int, slices: Int, seed: UInt64) throws {
    guard shards >= 1 else {
      throw MethodError.invalidOption(owner: "sisa", option: "shards", message: "must be ≥ 1, got \(shards)")
    }
    guard slices >= 1 else {
      throw MethodError.invalidOption(owner: "sisa", option: "slices", message: "must be ≥ 1, got \(slices)")
    }
    self.shards = shards
    self.slices = slices
    self.seed = seed
  }

  /// Each shard's positions in slice order (a shard's first slice is its first ⌊m/R⌋ entries).
  public func assignment(sourceCount n: Int) -> [[Int]] {
    var rng = RandomGenerator(seed: seed)
    let order = rng.permutation(n)
    let size = n / shards
    return (0..<shards).map { k in
      Array(order[(k * size)..<(k == shards - 1 ? n : (k + 1) * size)])
    }
  }

  /// The slice (0-based) of the entry at `offset` in a shard of `count` positions.
  public func slice(ofOffset offset: Int, shardCount count: Int) -> Int {
    let size = count / slices
    return size == 0 ? slices - 1 : min(offset / size, slices - 1)
  }

  /// How many entries of a shard of `count` positions slice `r` trains on (its cumulative prefix).
  public func prefixLength(slice r: Int, shardCount count: Int) -> Int {
    r == slices - 1 ? count : (r + 1) * (count / slices)
  }

  /// The epochs of slice `r` when the recipe trains for `epochs` (the reference's formula,
  /// evaluated in the same floating-point order).
  public func epochs(slice r: Int, of epochs: Int) -> Int {
    let average = 2 * Double(slices) / Double(slices + 1) * Double(epochs) / Double(slices)
    return Int(Double(r + 1) * average) - Int(Double(r) * average)
  }
}
