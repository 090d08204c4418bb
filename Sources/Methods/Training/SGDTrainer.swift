import Core

/// Trains a method's model with `Core`'s `Trainer` and `SGD` from a `TrainingRecipe`: the one
/// training loop, configured the way M0, M_retrain and the fine-tuning methods need it, with
/// methods' `TrainingObserver`s attached to the loop's hooks.
///
/// Data order: `BatchOrder.permuteSource` — each epoch draws a seeded permutation of the *whole*
/// source and keeps the positions in the subset, so training on D \ x* sees the retained samples
/// in the same relative order as training on D did: "M0's data order minus the forget set".
public enum SGDTrainer {
  /// What a training run did.
  public struct Summary: Sendable {
    /// Optimiser steps taken.
    public var steps = 0
    /// Mean loss (cross-entropy, also when ascending) over the last epoch's samples.
    public var lastEpochLoss = 0.0
    /// Wall-clock seconds of the whole run, hooks included.
    public var seconds = 0.0
  }

  /// A named observer (the name is the method that owns it, used to account its time).
  public typealias NamedObserver = (name: String, observer: TrainingObserver)

  /// Trains `learner` (a `ModuleLearner`) in place on `indices` of `source` with `recipe`.
  /// `relabel` replaces the labels of the positions it names; `ascend` climbs the cross-entropy
  /// (weight decay still pulls towards zero). Observers are attached to the loop's hooks.
  /// Training stops after `maxSteps` optimiser steps when given; `configure` may change the
  /// `Trainer` (its loss, extra loss) before the run.
  @discardableResult
  public static func train(
    _ learner: Learner, source: BatchSource, indices: [Int]? = nil, recipe: TrainingRecipe,
    observers: [NamedObserver] = [], artifacts: inout PreparedArtifacts,
    ascend: Bool = false, maxSteps: Int? = nil, shouldStop: @escaping () -> Bool = { false },
    progress: ((_ epoch: Int, _ batch: Int, _ batchCount: Int, _ loss: Double) -> Void)? = nil,
    relabel: [Int: Int] = [:], configure: ((Trainer) throws -> Void)? = nil
  ) throws -> Summary {
    try recipe.validate()
    guard let module = (learner as? ModuleLearner)?.module else {
      throw MethodError.failed(
        method: "training", message: "only Core modules can be trained (got \(type(of: learner)))")
    }
    let optimizer = try SGD(
      parameters: module.parameters(), learningRate: Float(recipe.learningRate),
      momentum: Float(recipe.momentum), weightDecay: Float(recipe.weightDecay))
    var config = TrainingConfig()
    config.epochs = recipe.epochs
    config.batchSize = recipe.batchSize
    config.seed = recipe.seed
    config.batchOrder = .permuteSource
    config.maxSteps = maxSteps
    config.progress = .silent
    let trainer = Trainer(model: module, optimizer: optimizer, config: config)
    trainer.isCancelled = shouldStop
    if ascend {
      trainer.loss = { logits, labels in try Functional.crossEntropy(logits, targets: labels) * -1 }
    }
    let sign: Float = ascend ? -1 : 1
    try configure?(trainer)
    // Observers that change training (an own-M0 method's) shape the loop before it starts.
    for o in observers where o.observer.trainingChange != nil {
      try o.observer.configure(trainer, learner: learner)
    }

    var arts = artifacts
    defer { artifacts = arts }
    let clock = ContinuousClock()
    func timed(_ name: String, _ body: () throws -> Void) rethrows {
      let t0 = clock.now
      try body()
      arts.seconds[name, default: 0] += (clock.now - t0).seconds
    }
    let count = indices.map { Set($0).count } ?? source.sampleCount
    let batchCount = (count + recipe.batchSize - 1) / recipe.batchSize
    var gradient: [Float] = []
    var lastEpochLoss = 0.0
    if !observers.isEmpty {
      trainer.beforeUpdate = { _ in gradient = module.gradientVector().storage }
    }
    trainer.afterStep = { info in
      let step = TrainingStep(
        epoch: info.epoch + 1, step: info.globalStep, indices: info.indices,
        loss: Double(sign * info.loss), gradient: gradient, learningRate: Double(info.learningRate))
      for o in observers {
        try timed(o.name) { try o.observer.didStep(step, learner: learner, artifacts: &arts) }
      }
      progress?(info.epoch + 1, info.step + 1, batchCount, step.loss)
    }
    trainer.afterEpoch = { info in
      lastEpochLoss = Double(sign * info.meanLoss)
      for o in observers {
        try timed(o.name) { try o.observer.didFinishEpoch(info.epoch + 1, learner: learner, artifacts: &arts) }
      }
    }
    let start = clock.now
    for o in observers { try timed(o.name) { try o.observer.trainingWillStart(learner, artifacts: &arts) } }
    let data = relabel.isEmpty ? source : RelabelledSource(base: source, labels: relabel)
    let report: TrainingReport
    do {
      report = try trainer.fit(on: data, indices: indices)
    } catch let e as TrainingError {
      throw MethodError.failed(method: "training", message: e.description)
    }
    if report.stopReason == .cancelled { throw TrainingInterrupted() }
    return Summary(steps: report.steps, lastEpochLoss: lastEpochLoss, seconds: (clock.now - start).seconds)
  }
}

/// Thrown when a user's interrupt (Ctrl-C) stops training between batches.
public struct TrainingInterrupted: Error, CustomStringConvertible {
  /// An interruption.
  public init() {}
  /// "interrupted".
  public var description: String { "interrupted" }
}

extension Duration {
  /// The duration in seconds.
  public var seconds: Double {
    let c = components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
  }
}
