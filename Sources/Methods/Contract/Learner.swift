import Core

/// A model as unlearning methods and experiments see it: one or more `Core` modules (its
/// constituents) that together map inputs to logits.
///
/// `ModuleLearner` is one module (the CNN, the MLP, ResNet-18); an ensemble (SISA's shard models)
/// is several. Everything callers need is defined on this protocol, so no caller looks through
/// it to a concrete type:
///
/// - training goes through `LearnerTrainer`, which trains each share `trainingShares` names with
///   `Core`'s `Trainer`;
/// - state is named tensors: each constituent's state dict under its prefix, which is what
///   checkpoints and the model cache write (`checkpointParts`), and flat vectors in that order
///   (`parameterVector`, `stateVector`) for methods that work on whole parameter vectors;
/// - evaluation is the learner's `logits` (an ensemble aggregates its constituents there), measured
///   by `Core`'s one `Evaluation` loop;
/// - per-constituent quantities (e.g. DIST_para per shard) read `constituents`.
public protocol Learner: Classifier {
  /// The number of output classes.
  var classCount: Int { get }
  /// The modules this learner is made of, in a fixed order; a single model has one constituent
  /// named "".
  var constituents: [Constituent] { get }
  /// How training on `indices` (positions in a source of `sourceCount` samples; nil: all of it)
  /// splits over the constituents: which constituent trains on which positions. A single model
  /// trains on all of them; an ensemble's constituents each on their own share.
  func trainingShares(of indices: [Int]?, sourceCount: Int) -> [TrainingShare]
  /// The mean loss over the batch and its gradient with respect to `parameterVector()`, in
  /// training mode. `stepSeed` seeds any randomness of the step (dropout) so that runs repeat.
  func lossAndGradient(inputs: Tensor, targets: Targets, stepSeed: UInt64) throws
    -> (loss: Double, gradient: [Float])
  /// An independent deep copy (parameters, buffers, architecture).
  func copy() -> Learner
}

/// One module of a learner, with the name that prefixes its state names ("" for a single model,
/// "shard0" for an ensemble's first constituent: `shard0.fc.weight`).
public struct Constituent {
  /// The constituent's name.
  public var name: String
  /// The module.
  public var module: Module

  /// A constituent.
  public init(name: String, module: Module) {
    self.name = name
    self.module = module
  }

  /// The prefix of the constituent's state names: "" or `name + "."`.
  public var prefix: String { name.isEmpty ? "" : name + "." }
}

extension Learner {
  /// The module, when the learner is a single one (what the Lua `ctx.model` shows); nil for an
  /// ensemble.
  public var singleModule: Module? {
    constituents.count == 1 && constituents[0].name.isEmpty ? constituents[0].module : nil
  }

  /// The constituents as checkpoint parts: their state under PyTorch's names, prefixed.
  public var checkpointParts: [Checkpoint.Part] { constituents.map { ($0.prefix, $0.module) } }

  /// The number of trainable scalars.
  public var parameterCount: Int { constituents.reduce(0) { $0 + $1.module.parameterCount } }

  /// The trainable parameters, flattened constituent by constituent in state-dict order.
  public func parameterVector() -> [Float] {
    constituents.flatMap { $0.module.parameterVector().storage }
  }

  /// Replaces the trainable parameters; throws (writing nothing) when the length is wrong.
  public func loadParameterVector(_ vector: [Float]) throws {
    try load(vector, what: "parameter", count: \.parameterCount) { try $0.setParameterVector($1) }
  }

  /// Everything needed to restore the learner exactly: each constituent's parameters then
  /// buffers (batch-norm running statistics), flattened (see `Module.stateVector`).
  public func stateVector() -> [Float] {
    constituents.flatMap { $0.module.stateVector().storage }
  }

  /// Restores a `stateVector()`; throws (writing nothing) when the length is wrong.
  public func loadStateVector(_ vector: [Float]) throws {
    try load(vector, what: "state", count: \.stateCount) { try $0.setStateVector($1) }
  }

  private func load(
    _ vector: [Float], what: String, count: KeyPath<Module, Int>, _ set: (Module, Tensor) throws -> Void
  ) throws {
    let counts = constituents.map { $0.module[keyPath: count] }
    let total = counts.reduce(0, +)
    guard vector.count == total else {
      throw MethodError.failed(
        method: "model", message: "a \(what) of \(vector.count) values for a model holding \(total)")
    }
    var offset = 0
    for (c, n) in zip(constituents, counts) {
      try set(c.module, Tensor(shape: [n], storage: Array(vector[offset..<(offset + n)])))
      offset += n
    }
  }
}

extension Evaluation {
  /// The batch size the method and experiment layers evaluate learners with (every metric,
  /// `ctx:accuracy`). Logits differ in their last bits between batch sizes, so results repeat
  /// bit for bit only with this one fixed size.
  public static let learnerBatchSize = 500
}

/// What a loss compares the model's outputs with.
public enum Targets: Sendable {
  /// Class labels: mean cross-entropy.
  case labels([Int])
  /// Target distributions `[n, K]` (rows sum to 1): mean cross-entropy with soft targets, whose
  /// gradient equals that of KL(target ‖ softmax(output)).
  case distributions(Tensor)

  /// The number of samples the targets describe.
  public var count: Int {
    switch self {
    case .labels(let l): return l.count
    case .distributions(let t): return t.shape.first ?? 0
    }
  }
}
