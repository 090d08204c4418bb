import Core

/// `unrolling_sgd` (Thudi et al., 2022, "Unrolling SGD"): M0 trains with a regulariser on the
/// standard deviation of each sample's logits, which the paper shows shrinks the unlearning
/// error; to unlearn, the forget set's contribution to training is added back to first order, as
/// the reference code does:
///
///   w ← w_M0 + scale · η · E · ∇L̄(w_ckpt; x*)
///
/// where L̄ is the mean over x* of the loss M0 trained with, η M0's learning rate and E its epochs
/// (the steps that saw x* when x* is one batch, the reference's setting). The reference takes the
/// gradient at the latest checkpoint, M0's final weights, and uses η without a momentum factor;
/// so does the default. With `std_weight` > 0 the method changes M0's training, so it gets an M0
/// of its own.
public final class UnrollingSGDMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "unrolling_sgd",
    summary: "M0 trained with a per-sample logit-std regulariser; add back the forget set's gradient at a checkpoint",
    options: Configuration.specs)

  /// The method.
  public init() {}

  /// Keeps the chosen checkpoint and, when `std_weight` > 0, adds the regulariser.
  final class Preparation: TrainingObserver {
    let stdWeight: Float
    let checkpointEpoch: Int?
    init(stdWeight: Float, checkpointEpoch: Int?) {
      self.stdWeight = stdWeight
      self.checkpointEpoch = checkpointEpoch
    }

    var trainingChange: String? { stdWeight > 0 ? "std_loss per-sample weight=\(stdWeight)" : nil }

    func configure(_ trainer: Trainer, learner: Learner) throws {
      trainer.loss = UnrollingSGDMethod.loss(stdWeight: stdWeight)
    }

    func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      if epoch == checkpointEpoch {
        artifacts.store(learner.stateVector(), method: "unrolling_sgd", name: "checkpoint.\(epoch)")
      }
    }
  }

  /// M0's training loss: mean cross-entropy + `stdWeight` · Σ_i std(z_i) / (N·K), where std(z_i)
  /// is the sample standard deviation (N − 1, as `torch.std`) of sample i's K logits — the
  /// reference's `std_loss` (`torch.sum(torch.std(x, dim=1)) / len(x.view(-1))`).
  static func loss(stdWeight: Float) -> (Variable, [Int]) throws -> Variable {
    { logits, labels in
      let ce = try Functional.crossEntropy(logits, targets: labels)
      guard stdWeight > 0 else { return ce }
      return try ce + stdWeight * (try rowStdSum(logits)) / Float(max(1, logits.value.count))
    }
  }

  /// Σ over rows of the sample standard deviation of each row of `x` `[N, K]`.
  static func rowStdSum(_ x: Variable) throws -> Variable {
    let k = Float(max(2, x.shape[1]))
    let centred = try x - (try x.mean(axes: [1], keepDims: true)).broadcast(to: x.shape)
    return try ((try (centred * centred).sum(axes: [1])) / (k - 1)).sqrt().sum()
  }

  /// The checkpoint recorder (and regulariser).
  public func prepare(options: MethodOptions) throws -> TrainingObserver? {
    let config = try Configuration(options)
    return Preparation(stdWeight: Float(config.stdWeight), checkpointEpoch: config.checkpointEpoch)
  }

  /// Adds the unrolled forget-set gradient to the copy of M0.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let config = try Configuration(context.options)
    let recipe = context.recipe
    // The weights the gradient is taken at (M0's own when nil).
    let checkpoint: [Float]?
    let described: String
    let epoch = config.checkpointEpoch ?? recipe.epochs
    if epoch == recipe.epochs {
      (checkpoint, described) = (nil, "M0 (after epoch \(epoch))")
    } else if epoch == 0 {
      (checkpoint, described) = (context.initialState, "initial weights")
    } else if epoch < recipe.epochs {
      guard let v = context.artifacts.vector(method: "unrolling_sgd", name: "checkpoint.\(epoch)") else {
        throw MethodError.failed(method: "unrolling_sgd", message: "M0 holds no checkpoint of epoch \(epoch)")
      }
      (checkpoint, described) = (v, "after epoch \(epoch)")
    } else {
      throw MethodError.invalidOption(
        owner: Configuration.owner, option: Configuration.checkpointEpoch.name,
        message: "must be at most M0's \(recipe.epochs) epochs (-1 = M0's final weights), got \(epoch)")
    }

    // The gradient of M0's training loss, averaged over x*, at the checkpoint: one pass of the
    // training loop (same loss, dropout and batch statistics as M0's) with a zero step, so the
    // probe's weights never move; each batch's mean gradient is weighted by its size.
    let probe = context.model.copy()
    if let checkpoint { try probe.loadStateVector(checkpoint) }
    var pass = recipe
    pass.epochs = 1
    pass.learningRate = 0
    pass.momentum = 0
    pass.weightDecay = 0
    pass.batchSize = config.batchSize ?? recipe.batchSize
    pass.seed = context.seed &+ 0x0B5E
    var sum = Tensor(shape: [probe.parameterCount], storage: [Float](repeating: 0, count: probe.parameterCount))
    let loss = UnrollingSGDMethod.loss(stdWeight: Float(config.stdWeight))
    var pass1 = TrainingRequest(
      source: context.request.train, indices: context.request.forget, recipe: pass, shouldStop: context.shouldStop)
    pass1.configure = { trainer in
      trainer.loss = loss
      trainer.beforeUpdate = { [unowned trainer] info in
        try sum.addScaled(trainer.model.gradientVector(), by: Float(info.indices.count))
      }
    }
    try LearnerTrainer.train(probe, pass1)

    // Not η·E/B·Σ (each sample's own contribution): for a forget set of many batches that step
    // grows with |x*| far past where the first-order expansion holds (docs/methods.md).
    let factor = Float(
      config.scale * recipe.learningRate * Double(recipe.epochs) / Double(context.request.forget.count))
    var w = Tensor(shape: [context.model.parameterCount], storage: context.model.parameterVector())
    try w.addScaled(sum, by: factor)
    try context.model.loadParameterVector(w.storage)
    let norm = sum.storage.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    return UnlearningResult(
      model: context.model,
      notes: [
        "checkpoint": described, "epochs_seen": "\(recipe.epochs)", "step_factor": "\(factor)",
        "step_norm": String(format: "%.4g", Double(factor) * norm),
      ])
  }
}
