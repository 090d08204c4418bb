/// A constituent of a learner and how it trains: one or more stages run in order, each a fresh
/// run of `Core`'s `Trainer` (a fresh optimiser) over its positions.
///
/// A plain share has one stage over its positions with the recipe's epochs and seed. SISA's shard
/// models have one stage per slice: slice r trains on the first r slices of the shard, from the
/// state the previous slice left, and a checkpoint is taken after each (see
/// `TrainingObserver.didFinishStage`). Because a stage depends only on the state it starts from,
/// its positions, its epochs and its seed, training can restart at any stage from that stage's
/// starting checkpoint and replay the rest exactly.
public struct TrainingShare {
  /// The constituent trained.
  public var constituent: Constituent
  /// Its stages, in training order.
  public var stages: [TrainingStage]

  /// A share trained in one stage on `indices` (nil: every position of the source).
  public init(constituent: Constituent, indices: [Int]?) {
    self.init(constituent: constituent, stages: [TrainingStage(indices: indices)])
  }

  /// A share trained in `stages`.
  public init(constituent: Constituent, stages: [TrainingStage]) {
    self.constituent = constituent
    self.stages = stages
  }

  /// The positions of the last stage (nil: every position of the source).
  public var indices: [Int]? { stages.last?.indices ?? nil }
}

/// One stage of a share's training.
public struct TrainingStage {
  /// The stage's name in observers' records and notes ("" for the one stage of a plain share).
  public var name: String
  /// The positions the stage trains on (nil: every position of the source).
  public var indices: [Int]?
  /// The stage's epoch count, given the recipe's (the identity by default).
  public var epochs: (_ recipeEpochs: Int) -> Int
  /// Mixed into the recipe's seed for this stage's data order and per-step randomness (0: the
  /// recipe's seed unchanged). Distinct stages should use distinct salts.
  public var seedSalt: UInt64

  /// A stage.
  public init(
    name: String = "", indices: [Int]?, epochs: @escaping (_ recipeEpochs: Int) -> Int = { $0 },
    seedSalt: UInt64 = 0
  ) {
    self.name = name
    self.indices = indices
    self.epochs = epochs
    self.seedSalt = seedSalt
  }

  /// The seed of this stage's `Trainer` for a recipe seeded with `seed`.
  public func seed(recipeSeed seed: UInt64) -> UInt64 {
    seedSalt == 0 ? seed : seed ^ (seedSalt &* 0x9E37_79B9_7F4A_7C15)
  }
}
