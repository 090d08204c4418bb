import Core

/// Sample-wise error-minimising noise (Huang et al., 2021, "Unlearnable Examples"; reference code
/// `HanxunH/Unlearnable-Examples`, `perturbation.py` and `toolbox.py`): a perturbation δᵢ for each
/// sample of a set, found by alternating two minimisations of the same loss until the model
/// classifies the perturbed samples almost perfectly —
///
/// 1. `trainSteps` SGD steps of a noise model on the training data with the set perturbed;
/// 2. projected gradient *descent* on each δᵢ: `steps` steps of δ ← δ − α·sign(∇ₓℓ), kept in
///    ‖δ‖∞ ≤ ε and x + δ ∈ [0, 1] (raw pixels);
/// 3. stop when the noise model's error on the perturbed set is ≤ `stopError` (or after
///    `maxRounds`, a cap the reference does not have).
///
/// ε and α are in raw pixel units ([0, 1]); the data are normalised per channel, so each step and
/// bound is converted through the normalisation's mean and std.
public enum ErrorMinimizingNoise {
  /// The search's settings (defaults: the reference's sample-wise CIFAR-10 command).
  public struct Settings: Sendable, Equatable {
    /// ε, the L∞ bound in raw pixel units (8/255).
    public var epsilon: Float = 8 / 255
    /// α, one PGD step in raw pixel units (0.8/255).
    public var stepSize: Float = 0.8 / 255
    /// PGD steps per round (20).
    public var steps = 20
    /// Noise-model SGD steps per round (`--train_step 10`).
    public var trainSteps = 10
    /// Stop once the error on the perturbed set is at most this (`--universal_stop_error 0.01`).
    public var stopError = 0.01
    /// Give up after this many rounds (Lethe's cap).
    public var maxRounds = 10
    /// Samples per model step and per PGD batch (`perturbation.py`'s batch size, 512).
    public var batchSize = 512
    /// The noise model's gradient-norm clip (the reference's `grad_clip: 5.0`; 0: none).
    public var gradientClip = 5.0

    /// The reference's settings.
    public init() {}
  }

  /// What the search found.
  public struct Result: Sendable {
    /// δ in raw pixel units, one row of `sampleSize` values per perturbed sample.
    public var delta: [Float]
    /// δ in the data's normalised units (δ / std of its channel): what is added to the inputs.
    public var normalizedDelta: [Float]
    /// Rounds run.
    public var rounds: Int
    /// Whether the error fell to `stopError` (false: the round cap was reached).
    public var converged: Bool
    /// The noise model's error (fraction) on the perturbed samples at the end.
    public var error: Double
    /// Its mean cross-entropy on the perturbed samples at the end.
    public var loss: Double
    /// Its mean cross-entropy on the same samples without noise.
    public var cleanLoss: Double
  }

  /// Searches noise for `positions` of `train` (images `[C, H, W]` normalised by `normalization`)
  /// with `noiseModel` (trained in place), SGD with `recipe`'s learning rate, momentum and weight
  /// decay, and batch orders seeded from `seed`.
  public static func search(
    noiseModel module: Module, train: any LabeledSource, positions: [Int], normalization: Normalization,
    recipe: TrainingRecipe, settings: Settings = Settings(), seed: UInt64, shouldStop: @escaping () -> Bool = { false }
  ) throws -> Result {
    let shape = train.sampleShape
    guard shape.count == 3, normalization.std.count == shape[0], normalization.mean.count == shape[0] else {
      throw MethodError.failed(
        method: "unlearnable",
        message: "needs images [channels, height, width] with a normalisation per channel; got samples of shape \(shape)")
    }
    let size = shape.reduce(1, *), plane = shape[1] * shape[2]
    let clean = try train.batch(at: positions)
    let std = normalization.std, mean = normalization.mean
    // Per element: the channel's std and the box δ must stay in (|δ| ≤ ε, 0 ≤ x + δ ≤ 1).
    var lower = [Float](repeating: 0, count: clean.inputs.storage.count)
    var upper = lower
    for i in lower.indices {
      let c = (i % size) / plane
      let raw = clean.inputs.storage[i] * std[c] + mean[c]
      lower[i] = max(-settings.epsilon, -raw)
      upper[i] = max(lower[i], min(settings.epsilon, 1 - raw))
    }
    var delta = [Float](repeating: 0, count: lower.count)
    func normalized() -> [Float] { delta.indices.map { delta[$0] / std[($0 % size) / plane] } }

    let optimizer = try SGD(
      parameters: module.parameters(), learningRate: Float(recipe.learningRate), momentum: Float(recipe.momentum),
      weightDecay: Float(recipe.weightDecay))
    var config = TrainingConfig()
    config.epochs = settings.trainSteps
    config.maxSteps = settings.trainSteps
    config.batchSize = settings.batchSize
    config.progress = .silent
    let trainer = Trainer(model: module, optimizer: optimizer, config: config)
    trainer.isCancelled = shouldStop
    if settings.gradientClip > 0 { trainer.beforeUpdate = { _ in clipGradients(module, to: settings.gradientClip) } }

    var rounds = 0
    var measured = (error: 1.0, loss: Double.infinity)
    while rounds < settings.maxRounds && measured.error > settings.stopError {
      if shouldStop() { throw TrainingInterrupted() }
      rounds += 1
      trainer.config.seed = seed &+ UInt64(rounds)
      let perturbed = PerturbedSource(base: train, positions: positions, offsets: normalized())
      if try trainer.fit(on: perturbed).stopReason == .cancelled { throw TrainingInterrupted() }
      try descend(
        module, clean: clean, delta: &delta, lower: lower, upper: upper, size: size, plane: plane, std: std,
        settings: settings, shouldStop: shouldStop)
      measured = try errorAndLoss(module, PerturbedSource(base: train, positions: positions, offsets: normalized()), positions)
    }
    let cleanLoss = try errorAndLoss(module, train, positions).loss
    return Result(
      delta: delta, normalizedDelta: normalized(), rounds: rounds, converged: measured.error <= settings.stopError,
      error: measured.error, loss: measured.loss, cleanLoss: cleanLoss)
  }

  /// `steps` PGD steps on every perturbed sample, batch by batch, with the model in evaluation
  /// mode and its parameters frozen (as the reference's `min_min_attack`).
  private static func descend(
    _ module: Module, clean: Batch, delta: inout [Float], lower: [Float], upper: [Float], size: Int, plane: Int,
    std: [Float], settings: Settings, shouldStop: () -> Bool
  ) throws {
    let parameters = module.parameters()
    let trainable = parameters.map(\.requiresGrad)
    for p in parameters { p.requiresGrad = false }
    defer { for (p, t) in zip(parameters, trainable) { p.requiresGrad = t } }
    let wasTraining = module.isTraining
    module.eval()
    defer { module.train(wasTraining) }
    let n = clean.labels.count
    var start = 0
    while start < n {
      if shouldStop() { throw TrainingInterrupted() }
      let end = min(n, start + settings.batchSize)
      let range = (start * size)..<(end * size)
      let labels = Array(clean.labels[start..<end])
      for _ in 0..<settings.steps {
        let x = Tensor(
          shape: [end - start] + Array(clean.inputs.shape.dropFirst()),
          storage: range.map { clean.inputs.storage[$0] + delta[$0] / std[($0 % size) / plane] })
        let input = Variable(x, requiresGrad: true)
        let loss = try Functional.crossEntropy(try module(input), targets: labels)
        try loss.backward()
        guard let g = input.grad else {
          throw MethodError.failed(method: "unlearnable", message: "no gradient with respect to the inputs")
        }
        for (k, i) in range.enumerated() {
          // The raw pixel's gradient is the normalised one / std: the same sign.
          let s: Float = g.storage[k] > 0 ? 1 : (g.storage[k] < 0 ? -1 : 0)
          delta[i] = min(max(delta[i] - settings.stepSize * s, lower[i]), upper[i])
        }
      }
      start = end
    }
  }

  /// The model's error (fraction) and mean cross-entropy on `positions` of `source`.
  private static func errorAndLoss(_ module: Module, _ source: any LabeledSource, _ positions: [Int]) throws
    -> (error: Double, loss: Double)
  {
    let (logits, labels) = try Evaluation.outputs(
      of: module, on: source, indices: positions, batchSize: Evaluation.learnerBatchSize)
    let accuracy = try Accuracy.top1(outputs: try OutputMatrix(logits), labels: labels)
    let loss = try GradMode.withoutGrad { try Functional.crossEntropy(Variable(logits), targets: labels) }
    return (1 - accuracy / 100, Double(loss.value.storage[0]))
  }

  /// Scales the gradients so that their global L2 norm is at most `limit` (`clip_grad_norm_`).
  private static func clipGradients(_ module: Module, to limit: Double) {
    let parameters = module.parameters()
    var squares = 0.0
    for p in parameters { for v in p.grad?.storage ?? [] { squares += Double(v) * Double(v) } }
    let coefficient = limit / (squares.squareRoot() + 1e-6)
    guard coefficient < 1 else { return }
    for p in parameters {
      guard let g = p.grad else { continue }
      p.grad = Tensor(shape: g.shape, storage: g.storage.map { $0 * Float(coefficient) })
    }
  }
}
