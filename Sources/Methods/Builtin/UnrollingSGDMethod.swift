import Core

/// `unrolling_sgd` (Thudi et al., 2022, "Unrolling SGD"): M0 trains with a regulariser on the
/// standard deviation of the logits, which the paper shows shrinks the unlearning error; to
/// unlearn, the forget samples' contribution to training is added back to first order, using
/// their gradient at a checkpoint stored while M0 trained:
///
///   w ← w + η_eff · (steps seen / B) · Σ_{x ∈ x*} ∇ℓ(w_ckpt, x)
///
/// where each forget sample was in one batch of size B per epoch after the checkpoint, and
/// η_eff = η / (1 − μ) is SGD's step size with momentum μ in the steady state (η for plain SGD).
/// With `std_weight` > 0 the method changes M0's training, so it gets an M0 of its own.
public final class UnrollingSGDMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "unrolling_sgd",
    summary: "M0 trained with a logit-std regulariser; add back the forget set's gradient at a checkpoint",
    options: [
      OptionSpec("std_weight", .number, default: .number(1), doc: "weight of the std(logits) regulariser in M0's loss"),
      OptionSpec("checkpoint_epoch", .integer, default: .number(0),
        doc: "checkpoint whose gradient is used: 0 = initial weights, e = after epoch e"),
      OptionSpec("scale", .number, default: .number(1), doc: "multiplier on the unrolled step"),
      OptionSpec("batch_size", .integer, default: .number(256), doc: "samples per gradient batch"),
    ])

  /// The method.
  public init() {}

  /// Keeps the chosen checkpoint and, when `std_weight` > 0, adds the regulariser.
  final class Preparation: TrainingObserver {
    let stdWeight: Float
    let checkpointEpoch: Int
    init(stdWeight: Float, checkpointEpoch: Int) {
      self.stdWeight = stdWeight
      self.checkpointEpoch = checkpointEpoch
    }

    var trainingChange: String? { stdWeight > 0 ? "std_loss weight=\(stdWeight)" : nil }

    func configure(_ trainer: Trainer, learner: Learner) throws {
      let weight = stdWeight
      trainer.loss = { logits, labels in
        try Functional.crossEntropy(logits, targets: labels) + weight * (try UnrollingSGDMethod.std(logits))
      }
    }

    func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      if epoch == checkpointEpoch {
        artifacts.store(learner.stateVector(), method: "unrolling_sgd", name: "checkpoint.\(epoch)")
      }
    }
  }

  /// The sample standard deviation (N − 1, as `torch.std`) of every element of `x`.
  static func std(_ x: Variable) throws -> Variable {
    let n = Float(max(2, x.value.count))
    let centred = try x - (try x.mean()).broadcast(to: x.shape)
    return ((try (centred * centred).sum()) / (n - 1)).sqrt()
  }

  /// The checkpoint recorder (and regulariser).
  public func prepare(options: MethodOptions) throws -> TrainingObserver? {
    let weight = try options.number("std_weight")
    let epoch = try options.integer("checkpoint_epoch")
    guard weight >= 0, weight.isFinite else {
      throw MethodError.invalidOption(owner: "unrolling_sgd", option: "std_weight", message: "must be ≥ 0")
    }
    guard epoch >= 0 else {
      throw MethodError.invalidOption(owner: "unrolling_sgd", option: "checkpoint_epoch", message: "must be ≥ 0")
    }
    return Preparation(stdWeight: Float(weight), checkpointEpoch: epoch)
  }

  /// Adds the unrolled forget-set gradient to the copy of M0.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let epoch = try context.options.integer("checkpoint_epoch")
    let batch = try context.options.integer("batch_size")
    let scale = try context.options.number("scale")
    let recipe = context.recipe
    guard epoch < recipe.epochs else {
      throw MethodError.invalidOption(
        owner: "unrolling_sgd", option: "checkpoint_epoch",
        message: "must be below M0's \(recipe.epochs) epochs (0 = initial weights)")
    }
    guard batch > 0 else {
      throw MethodError.invalidOption(owner: "unrolling_sgd", option: "batch_size", message: "must be > 0")
    }
    let checkpoint: [Float]
    if epoch == 0 {
      checkpoint = context.initialState
    } else if let v = context.artifacts.vector(method: "unrolling_sgd", name: "checkpoint.\(epoch)") {
      checkpoint = v
    } else {
      throw MethodError.failed(method: "unrolling_sgd", message: "M0 holds no checkpoint of epoch \(epoch)")
    }

    // Σ over the forget set of the per-sample loss gradients at the checkpoint.
    let probe = context.model.copy()
    try probe.loadStateVector(checkpoint)
    var sum = [Float](repeating: 0, count: probe.parameterCount)
    let forget = context.request.forget
    for (k, start) in stride(from: 0, to: forget.count, by: batch).enumerated() {
      if context.shouldStop() { throw TrainingInterrupted() }
      let chunk = Array(forget[start..<min(start + batch, forget.count)])
      let b = try context.request.train.batch(at: chunk)
      let (_, g) = try probe.lossAndGradient(
        inputs: b.inputs, targets: .labels(b.labels), stepSeed: context.seed &+ UInt64(k))
      let weight = Float(chunk.count)  // the mean gradient times the chunk's size
      for i in sum.indices { sum[i] += weight * g[i] }
    }

    let stepsSeen = recipe.epochs - epoch
    let eta = recipe.learningRate / (1 - recipe.momentum)
    let factor = Float(scale * eta * Double(stepsSeen) / Double(recipe.batchSize))
    var w = context.model.parameterVector()
    for i in w.indices { w[i] += factor * sum[i] }
    try context.model.loadParameterVector(w)
    return UnlearningResult(
      model: context.model,
      notes: ["checkpoint_epoch": "\(epoch)", "steps_seen": "\(stepsSeen)", "step_factor": "\(factor)"])
  }
}
