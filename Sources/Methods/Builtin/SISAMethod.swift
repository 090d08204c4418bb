import Core
import Foundation

/// `sisa` (Bourtoule et al., 2021, "Machine Unlearning"; reference code
/// `cleverhans-lab/machine-unlearning`): Sharded, Isolated, Sliced, Aggregated training. M0 is an
/// ensemble of S shard models (`ShardEnsemble`), each trained on its own shard in R slices with a
/// checkpoint after each slice; to unlearn, only the shards that hold forget samples are
/// retrained, each from the checkpoint taken before its first affected slice.
///
/// M0 is the method's own (its `prepare` changes what M0 is), cached under a key naming S, R and
/// the aggregation; training it is the method's preparation cost. Every shard trains with M0's
/// recipe (the reference trains each shard for 20 epochs of plain SGD, lr 0.001, batch 16 on
/// Purchase; Lethe keeps the schedule's recipe so that SISA and M_retrain train alike).
public final class SISAMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "sisa",
    summary: "M0 = an ensemble of shard models trained in slices; retrain only the affected shards from a checkpoint",
    options: [
      OptionSpec("shards", .integer, default: .number(10), doc: "S, shard models (the survey's 10)"),
      OptionSpec("slices", .integer, default: .number(1), doc: "R, slices per shard, a checkpoint after each"),
      OptionSpec("aggregation", .string, default: .string("vote"), doc: "vote (majority of top classes) or softmax (mean)")
        .choosing(ShardEnsemble.Aggregation.allCases.map(\.rawValue)),
    ])

  /// The method.
  public init() {}

  /// Builds the ensemble M0 and keeps a checkpoint of each shard after each slice.
  final class Preparation: TrainingObserver {
    let plan: (shards: Int, slices: Int)
    let aggregation: ShardEnsemble.Aggregation

    init(shards: Int, slices: Int, aggregation: ShardEnsemble.Aggregation) {
      plan = (shards, slices)
      self.aggregation = aggregation
    }

    var trainingChange: String? { "sisa shards=\(plan.shards) slices=\(plan.slices) aggregation=\(aggregation.rawValue)" }

    func shapedLearner(build: (UInt64) throws -> Learner, seed: UInt64) throws -> Learner? {
      let shards = try (0..<plan.shards).map { k -> ModuleLearner in
        // Shard 0 is initialised as the plain model is; the others with seeds of their own.
        let learner = try build(k == 0 ? seed : seed ^ (UInt64(k) &* 0x9E37_79B9_7F4A_7C15))
        guard let module = learner.singleModule else {
          throw MethodError.failed(method: "sisa", message: "shard models must be single models")
        }
        return ModuleLearner(module, classCount: learner.classCount)
      }
      return try ShardEnsemble(
        shards: shards, plan: try ShardPlan(shards: plan.shards, slices: plan.slices, seed: seed ^ 0x5157_A5EED),
        aggregation: aggregation)
    }

    func didFinishStage(_ stage: FinishedStage, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      guard let c = learner.constituents.first(where: { $0.name == stage.constituent }) else { return }
      artifacts.store(
        c.module.stateVector().storage, method: "sisa", name: SISAMethod.checkpointName(c.name, stage.name))
    }
  }

  /// The artifact name of a constituent's checkpoint after a stage.
  static func checkpointName(_ constituent: String, _ stage: String) -> String { "\(constituent).\(stage)" }

  /// The ensemble builder and checkpoint recorder.
  public func prepare(options: MethodOptions) throws -> TrainingObserver? {
    let name = try options.string("aggregation")
    guard let aggregation = ShardEnsemble.Aggregation(rawValue: name) else {
      throw MethodError.invalidOption(
        owner: "sisa", option: "aggregation",
        message: "must be one of \(ShardEnsemble.Aggregation.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
    }
    let shards = try options.integer("shards"), slices = try options.integer("slices")
    _ = try ShardPlan(shards: shards, slices: slices, seed: 0)
    return Preparation(shards: shards, slices: slices, aggregation: aggregation)
  }

  /// Retrains the shards holding forget samples from the checkpoint before their first affected
  /// slice, on their retained samples; the other shards keep M0's weights.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let model = context.model
    let shardCount = try context.options.integer("shards")
    guard model.constituents.count == shardCount, model.singleModule == nil else {
      throw MethodError.failed(
        method: "sisa",
        message: "needs its own M0, an ensemble of \(shardCount) shard models (got a model of "
          + "\(model.constituents.count) constituent(s)); run it through a schedule, whose M0 it prepares")
    }
    let n = context.request.train.sampleCount
    let forget = Set(context.request.forget)
    let original = model.trainingShares(of: nil, sourceCount: n)
    let retained = model.trainingShares(of: context.request.retained, sourceCount: n)
    var offset = 0
    var retrain: [TrainingShare] = []
    var retrained: [String] = []
    for (share, kept) in zip(original, retained) {
      let module = share.constituent.module
      let count = module.stateCount
      defer { offset += count }
      guard let first = share.stages.firstIndex(where: { $0.indices?.contains(where: forget.contains) ?? true })
      else { continue }
      let start: [Float]
      if first == 0 {
        guard offset + count <= context.initialState.count else {
          throw MethodError.failed(method: "sisa", message: "M0's initial state does not match the ensemble")
        }
        start = Array(context.initialState[offset..<(offset + count)])
      } else {
        let name = Self.checkpointName(share.constituent.name, share.stages[first - 1].name)
        guard let v = context.artifacts.vector(method: "sisa", name: name) else {
          throw MethodError.failed(method: "sisa", message: "no checkpoint '\(name)' was prepared with M0")
        }
        start = v
      }
      try module.setStateVector(Tensor(shape: [start.count], storage: start))
      retrain.append(TrainingShare(constituent: kept.constituent, stages: Array(kept.stages[first...])))
      retrained.append("\(share.constituent.name) from \(share.stages[first].name)")
    }
    let summary = try LearnerTrainer.train(
      model, TrainingRequest(source: context.request.train, recipe: context.recipe, shouldStop: context.shouldStop),
      shares: retrain)
    let checkpoints = context.artifacts.vectors["sisa"] ?? [:]
    let bytes = checkpoints.values.reduce(0) { $0 + 4 * $1.count }
    return UnlearningResult(
      model: model,
      notes: [
        "shards_retrained": "\(retrain.count) of \(shardCount)",
        "retrained": retrained.joined(separator: ", "),
        "steps": "\(summary.steps)",
        "checkpoints": "\(checkpoints.count) (S·R) in M0's cache, \(String(format: "%.1f", Double(bytes) / 1e6)) MB of float32 state",
      ])
  }
}
