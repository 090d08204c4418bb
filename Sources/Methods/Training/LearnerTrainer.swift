import Core

/// Trains a `Learner` as a `TrainingRequest` says, with `Core`'s `Trainer` and `SGD`: the one
/// training loop, configured from a `TrainingRecipe` the way M0, M_retrain and the fine-tuning
/// methods need it, with methods' `TrainingObserver`s attached to the loop's hooks. Each share of
/// the learner (`Learner.trainingShares`: the one module of a plain model, every constituent of an
/// ensemble on its own positions) is trained in turn, stage by stage (`TrainingShare.stages`).
///
/// Data order: `BatchOrder.permuteSource` — each epoch draws a seeded permutation of the *whole*
/// source and keeps the positions in the subset (`EpochOrder`), so training on D \ x* sees the
/// retained samples in the same relative order as training on D did: "M0's data order minus the
/// forget set".
public enum LearnerTrainer {
  /// What a training run did.
  public struct Summary: Sendable {
    /// Optimiser steps taken (over all shares).
    public var steps = 0
    /// Mean loss (cross-entropy, also when ascending) over the last epoch's samples.
    public var lastEpochLoss = 0.0
    /// Wall-clock seconds of the whole run, hooks included.
    public var seconds = 0.0
    /// What the request's observers recorded (their hooks' time in `seconds`).
    public var artifacts = PreparedArtifacts()
  }

  /// Trains `learner` in place as `request` says.
  @discardableResult
  public static func train(_ learner: Learner, _ request: TrainingRequest) throws -> Summary {
    try train(
      learner, request, shares: learner.trainingShares(of: request.indices, sourceCount: request.source.sampleCount))
  }

  /// Trains the given `shares` of `learner` in place (stage by stage, each stage a fresh
  /// `Trainer`), with the request's source, recipe and observers; `request.indices` is not read.
  /// A method that retrains part of an ensemble (SISA: the affected shards from their first
  /// affected slice) passes the shares and stages it needs.
  @discardableResult
  public static func train(_ learner: Learner, _ request: TrainingRequest, shares: [TrainingShare]) throws
    -> Summary
  {
    let recipe = request.recipe
    try recipe.validate()
    let observers = request.observers
    var arts = PreparedArtifacts()
    let clock = ContinuousClock()
    func timed(_ name: String, _ body: () throws -> Void) rethrows {
      let t0 = clock.now
      try body()
      arts.seconds[name, default: 0] += (clock.now - t0).seconds
    }
    let count = request.source.sampleCount
    let runs = try shares.flatMap { share in
      try share.stages.enumerated().map { k, stage in
        let trainer = try makeTrainer(share.constituent.module, stage, request)
        // Observers that change training (an own-M0 method's) shape the loop before it starts.
        for o in observers where o.observer.trainingChange != nil {
          try o.observer.configure(trainer, learner: learner, trainingSamples: share.indices?.count ?? count)
        }
        return (share: share, stage: stage, index: k, trainer: trainer)
      }
    }
    let start = clock.now
    var summary = Summary()
    for o in observers { try timed(o.name) { try o.observer.trainingWillStart(learner, artifacts: &arts) } }
    for run in runs {
      let (share, trainer) = (run.share, run.trainer)
      let module = share.constituent.module
      let sign: Float = request.ascend ? -1 : 1
      let batchCount = EpochOrder(.permuteSource, pool: run.stage.indices ?? Array(0..<count), sourceCount: count)
        .batchCount(size: recipe.batchSize)
      var gradient: [Float] = []
      if !observers.isEmpty {
        trainer.beforeUpdate = { _ in gradient = module.gradientVector().storage }
      }
      trainer.afterStep = { info in
        let step = TrainingStep(
          constituent: share.constituent.name, epoch: info.epoch + 1, step: info.globalStep,
          indices: info.indices, loss: Double(sign * info.loss), gradient: gradient,
          learningRate: Double(info.learningRate))
        for o in observers {
          try timed(o.name) { try o.observer.didStep(step, learner: learner, artifacts: &arts) }
        }
        request.progress?(info.epoch + 1, info.step + 1, batchCount, step.loss)
      }
      trainer.afterEpoch = { info in
        summary.lastEpochLoss = Double(sign * info.meanLoss)
        for o in observers {
          try timed(o.name) { try o.observer.didFinishEpoch(info.epoch + 1, learner: learner, artifacts: &arts) }
        }
      }
      let report: TrainingReport
      do {
        report = try trainer.fit(on: request.source, indices: run.stage.indices)
      } catch let e as TrainingError {
        throw MethodError.failed(method: "training", message: e.description)
      }
      summary.steps += report.steps
      if report.stopReason == .cancelled { throw TrainingInterrupted() }
      let finished = FinishedStage(constituent: share.constituent.name, index: run.index, name: run.stage.name)
      for o in observers {
        try timed(o.name) { try o.observer.didFinishStage(finished, learner: learner, artifacts: &arts) }
      }
    }
    for o in observers {
      try timed(o.name) {
        try o.observer.trainingDidFinish(learner, source: request.source, indices: request.indices, artifacts: &arts)
      }
    }
    summary.seconds = (clock.now - start).seconds
    summary.artifacts = arts
    return summary
  }

  /// Core's `Trainer` over `module` with the request's optimiser, recipe, data order, step cap,
  /// cancellation, direction and configuration.
  private static func makeTrainer(_ module: Module, _ stage: TrainingStage, _ request: TrainingRequest) throws
    -> Trainer
  {
    let recipe = request.recipe
    let optimizer: Optimizer
    switch request.optimizer {
    case .sgd:
      optimizer = try SGD(
        parameters: module.parameters(), learningRate: Float(recipe.learningRate),
        momentum: Float(recipe.momentum), weightDecay: Float(recipe.weightDecay))
    case .adam:
      optimizer = try Adam(
        parameters: module.parameters(), learningRate: Float(recipe.learningRate),
        weightDecay: Float(recipe.weightDecay))
    }
    var config = TrainingConfig()
    config.epochs = stage.epochs(recipe.epochs)
    config.batchSize = recipe.batchSize
    config.seed = stage.seed(recipeSeed: recipe.seed)
    config.batchOrder = .permuteSource
    config.maxSteps = request.maxSteps
    config.progress = .silent
    let trainer = Trainer(model: module, optimizer: optimizer, config: config)
    trainer.isCancelled = request.shouldStop
    if request.ascend {
      trainer.loss = { logits, labels in try Functional.crossEntropy(logits, targets: labels) * -1 }
    }
    try request.configure?(trainer)
    return trainer
  }
}
