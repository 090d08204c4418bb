import Foundation

/// A training view of an image dataset that augments every batch it builds. The n-th call to
/// `batch(at:)` draws from a generator seeded by (seed, n), so the same seed and the same sequence
/// of calls give the same augmented batches on every run.
public final class AugmentedSource: LabeledSource, @unchecked Sendable {
  // @unchecked Sendable: the only mutable state, the call counter, is guarded by `lock`.
  /// The dataset shown.
  public let dataset: Dataset
  /// What is applied.
  public let augmentation: Augmentation
  /// The seed of the augmentation stream.
  public let seed: UInt64
  private let lock = NSLock()
  private var calls: UInt64 = 0

  /// Augments `dataset`'s batches with `augmentation`, seeded by `seed`.
  public init(_ dataset: Dataset, augmentation: Augmentation, seed: UInt64) {
    self.dataset = dataset
    self.augmentation = augmentation
    self.seed = seed
  }

  public var sampleCount: Int { dataset.sampleCount }
  public var sampleShape: [Int] { dataset.sampleShape }
  public var classCount: Int { dataset.classCount }
  public func label(at index: Int) -> Int { dataset.label(at: index) }

  /// Restarts the augmentation stream (e.g. to replay a run from the start).
  public func reset() {
    lock.lock()
    calls = 0
    lock.unlock()
  }

  public func batch(at indices: [Int]) throws -> Batch {
    lock.lock()
    let call = calls
    calls += 1
    lock.unlock()
    var generator = RandomGenerator(seed: seed ^ (call &* 0x9E37_79B9_7F4A_7C15 &+ 0xA076_1D64_78BD_642F))
    return try dataset.batch(at: indices, augmentation: augmentation, generator: &generator)
  }
}
