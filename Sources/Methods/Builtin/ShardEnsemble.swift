import Core
import Foundation

/// SISA's model (Bourtoule et al., 2021): S shard models of one architecture, each trained on its
/// own shard of the data in R slices (`ShardPlan`), predicting together.
///
/// A `Learner` like any other: its constituents are `shard0` … `shard{S−1}`, its training shares
/// are the shards with one stage per slice, and its logits aggregate the shards' predictions:
///
/// - `vote` (the reference's default, `--output_type argmax` with uniform weights): each shard
///   votes for its top class; the output is the vote shares v_k/S as log-probabilities,
///   ln max(v_k/S, 1e-12), so the prediction is the majority (ties to the lowest class, as
///   `np.argmax`) and softmax(output) gives back the vote shares;
/// - `softmax` (`--output_type softmax`): the shards' softmax outputs averaged, as
///   log-probabilities.
public final class ShardEnsemble: Learner {
  /// How the shards' outputs are combined.
  public enum Aggregation: String, Sendable, CaseIterable {
    /// Majority vote of the shards' top classes.
    case vote
    /// The mean of the shards' softmax outputs.
    case softmax
  }

  /// The shard models, in shard order.
  public let shards: [ModuleLearner]
  /// How positions are assigned to shards and slices.
  public let plan: ShardPlan
  /// How predictions are combined.
  public let aggregation: Aggregation
  /// The number of output classes.
  public let classCount: Int
  private var assignments: (count: Int, shards: [[Int]])?

  /// An ensemble of `shards` (one per shard of `plan`, all with `classCount` outputs).
  public convenience init(shards: [ModuleLearner], plan: ShardPlan, aggregation: Aggregation) throws {
    guard shards.count == plan.shards, let first = shards.first,
      shards.allSatisfy({ $0.classCount == first.classCount })
    else {
      throw MethodError.failed(
        method: "sisa", message: "\(shards.count) shard models for \(plan.shards) shards, or different class counts")
    }
    self.init(checked: shards, plan: plan, aggregation: aggregation, classCount: first.classCount)
  }

  private init(checked shards: [ModuleLearner], plan: ShardPlan, aggregation: Aggregation, classCount: Int) {
    self.shards = shards
    self.plan = plan
    self.aggregation = aggregation
    self.classCount = classCount
  }

  /// The shard models, named `shard0` … (their state names are prefixed so: `shard0.fc1.weight`).
  public var constituents: [Constituent] {
    shards.enumerated().map { Constituent(name: "shard\($0.offset)", module: $0.element.module) }
  }

  /// Each shard trains on its positions among `indices`, one stage per slice: stage r on the
  /// shard's first r+1 slices, for its share of the recipe's epochs.
  public func trainingShares(of indices: [Int]?, sourceCount: Int) -> [TrainingShare] {
    let keep = indices.map(Set.init)
    let assignment = shardPositions(sourceCount: sourceCount)
    let plan = self.plan
    return zip(constituents, assignment).enumerated().map { k, pair in
      let (constituent, positions) = pair
      let stages = (0..<plan.slices).map { r in
        let prefix = positions.prefix(plan.prefixLength(slice: r, shardCount: positions.count))
        return TrainingStage(
          name: "slice\(r + 1)", indices: prefix.filter { keep?.contains($0) ?? true }.sorted(),
          epochs: { plan.epochs(slice: r, of: $0) }, seedSalt: UInt64(k * plan.slices + r + 1))
      }
      return TrainingShare(constituent: constituent, stages: stages)
    }
  }

  /// The mean over shards of each shard's loss, and its gradient (each shard's gradient / S,
  /// concatenated in constituent order): the shards are trained independently, so the ensemble's
  /// training objective is the average of theirs.
  public func lossAndGradient(inputs: Tensor, targets: Targets, stepSeed: UInt64) throws
    -> (loss: Double, gradient: [Float])
  {
    let scale = 1 / Float(shards.count)
    var loss = 0.0
    var gradient: [Float] = []
    gradient.reserveCapacity(parameterCount)
    for (k, shard) in shards.enumerated() {
      let (l, g) = try shard.lossAndGradient(inputs: inputs, targets: targets, stepSeed: stepSeed &+ UInt64(k))
      loss += l
      gradient.append(contentsOf: g.map { $0 * scale })
    }
    return (loss / Double(shards.count), gradient)
  }

  /// The aggregated prediction as log-probabilities (see the type's description).
  public func logits(inputs: Tensor) throws -> Tensor {
    let n = inputs.shape.first ?? 0
    let k = classCount
    var mean = [Double](repeating: 0, count: n * k)
    let weight = 1 / Double(shards.count)
    for shard in shards {
      let z = try shard.logits(inputs: inputs)
      guard z.shape == [n, k] else {
        throw MethodError.failed(method: "sisa", message: "a shard returned logits of shape \(z.shape)")
      }
      let rows = try OutputMatrix(z)
      switch aggregation {
      case .vote:
        for (i, c) in rows.argmaxRows().enumerated() { mean[i * k + c] += weight }
      case .softmax:
        for (i, p) in rows.softmaxRows().enumerated() {
          for c in 0..<k { mean[i * k + c] += weight * p[c] }
        }
      }
    }
    return Tensor(shape: [n, k], storage: mean.map { Float(log(max($0, 1e-12))) })
  }

  /// A deep copy (shard models copied, the same plan and aggregation).
  public func copy() -> Learner {
    ShardEnsemble(
      checked: shards.map { ModuleLearner($0.module.clone(), classCount: $0.classCount) }, plan: plan,
      aggregation: aggregation, classCount: classCount)
  }

  /// Each shard's positions in slice order, for a source of `sourceCount` samples (kept for the
  /// last size asked).
  private func shardPositions(sourceCount: Int) -> [[Int]] {
    if let a = assignments, a.count == sourceCount { return a.shards }
    let s = plan.assignment(sourceCount: sourceCount)
    assignments = (sourceCount, s)
    return s
  }
}
