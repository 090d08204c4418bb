/// How the training loop orders each epoch's samples when it shuffles.
public enum BatchOrder: String, Sendable {
  /// A seeded permutation of the training indices themselves (the default).
  case permuteIndices
  /// A seeded permutation of the *whole* source, restricted to the training indices (each index
  /// visited once). Training on a subset D \ x* then sees the retained samples in the same
  /// relative order as a run with the same seed on all of D: "M0's data order minus the forget
  /// set", which makes retraining a replay of M0's run without x*.
  case permuteSource
}

/// Produces the per-epoch order of a training pool under a `BatchOrder`.
struct EpochOrderer {
  private let order: BatchOrder
  private let pool: [Int]
  private let sourceCount: Int
  private let members: Set<Int>?
  /// Samples per epoch.
  let count: Int

  init(_ order: BatchOrder, pool: [Int], sourceCount: Int) {
    self.order = order
    self.pool = pool
    self.sourceCount = sourceCount
    // All of the source needs no membership test; a subset is visited once per index.
    let members = order == .permuteSource && pool.count != sourceCount ? Set(pool) : nil
    self.members = members
    count = order == .permuteSource ? (members?.count ?? sourceCount) : pool.count
  }

  /// The next epoch's order, drawing from `rng`.
  func next(_ rng: inout RandomGenerator) -> [Int] {
    switch order {
    case .permuteIndices:
      return rng.permutation(pool.count).map { pool[$0] }
    case .permuteSource:
      let all = rng.permutation(sourceCount)
      guard let m = members else { return all }
      return all.filter(m.contains)
    }
  }
}
