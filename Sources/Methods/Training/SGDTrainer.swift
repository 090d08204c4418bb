import Core

/// Mini-batch SGD over a subset of a training source, the loop that trains M0, M_retrain and
/// the fine-tuning methods, with hooks for methods' observers.
///
/// Data order: each epoch draws a seeded permutation of the *whole* source and keeps the
/// positions in the subset, so training on D \ x* sees the retained samples in the same relative
/// order as training on D did: "M0's data order minus the forget set".
public enum SGDTrainer {
  /// What a training run did.
  public struct Summary: Sendable {
    /// Optimiser steps taken.
    public var steps = 0
    /// Mean loss of the last epoch's batches.
    public var lastEpochLoss = 0.0
    /// Wall-clock seconds of the whole run, hooks included.
    public var seconds = 0.0
  }

  /// A named observer (the name is the method that owns it, used to account its time).
  public typealias NamedObserver = (name: String, observer: TrainingObserver)

  /// The batches of one epoch: a permutation of `0..<sourceCount` from `rng`, restricted to
  /// `subset`, cut into batches of `batchSize`.
  public static func epochBatches(
    sourceCount: Int, subset: Set<Int>?, batchSize: Int, rng: inout RandomGenerator
  ) -> [[Int]] {
    var order = rng.permutation(sourceCount)
    if let s = subset { order = order.filter(s.contains) }
    return stride(from: 0, to: order.count, by: batchSize).map {
      Array(order[$0..<min($0 + batchSize, order.count)])
    }
  }

  /// Trains `learner` in place on `indices` of `source` with `recipe`.
  /// `targets` maps a batch's indices and labels to the loss targets (labels by default; the
  /// random-labels method relabels). Observers are called around every step and epoch. Training
  /// stops early after `maxSteps` optimiser steps when given.
  @discardableResult
  public static func train(
    _ learner: Learner, source: BatchSource, indices: [Int]? = nil, recipe: TrainingRecipe,
    observers: [NamedObserver] = [], artifacts: inout PreparedArtifacts,
    ascend: Bool = false, maxSteps: Int? = nil, shouldStop: () -> Bool = { false },
    progress: ((_ epoch: Int, _ batch: Int, _ batchCount: Int, _ loss: Double) -> Void)? = nil,
    targets: (([Int], [Int]) throws -> Targets)? = nil
  ) throws -> Summary {
    try recipe.validate()
    let clock = ContinuousClock()
    let start = clock.now
    var summary = Summary()
    var rng = RandomGenerator(seed: recipe.seed)
    var optimiser = FlatSGD(
      learningRate: recipe.learningRate, momentum: recipe.momentum, weightDecay: recipe.weightDecay)
    let subset = indices.map(Set.init)
    var parameters = learner.parameterVector()
    func timed(_ name: String, _ body: () throws -> Void) rethrows {
      let t0 = clock.now
      try body()
      artifacts.seconds[name, default: 0] += (clock.now - t0).seconds
    }
    for o in observers { try timed(o.name) { try o.observer.trainingWillStart(learner, artifacts: &artifacts) } }
    for epoch in stride(from: 1, through: recipe.epochs, by: 1) {
      let batches = epochBatches(
        sourceCount: source.sampleCount, subset: subset, batchSize: recipe.batchSize, rng: &rng)
      var lossSum = 0.0
      for (b, batchIndices) in batches.enumerated() {
        if let cap = maxSteps, summary.steps >= cap { break }
        if shouldStop() { throw TrainingInterrupted() }
        let batch = try source.batch(at: batchIndices)
        let t = try targets?(batchIndices, batch.labels) ?? .labels(batch.labels)
        let stepSeed = recipe.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(summary.steps)
        let (loss, gradient) = try learner.lossAndGradient(inputs: batch.inputs, targets: t, stepSeed: stepSeed)
        guard loss.isFinite else {
          throw MethodError.failed(method: "training", message: "loss became \(loss) at step \(summary.steps)")
        }
        optimiser.step(&parameters, gradient: gradient, ascend: ascend)
        try learner.loadParameterVector(parameters)
        let step = TrainingStep(
          epoch: epoch, step: summary.steps, indices: batchIndices, loss: loss, gradient: gradient,
          learningRate: recipe.learningRate)
        for o in observers {
          try timed(o.name) { try o.observer.didStep(step, learner: learner, artifacts: &artifacts) }
        }
        summary.steps += 1
        lossSum += loss
        progress?(epoch, b + 1, batches.count, loss)
      }
      summary.lastEpochLoss = batches.isEmpty ? 0 : lossSum / Double(batches.count)
      for o in observers {
        try timed(o.name) { try o.observer.didFinishEpoch(epoch, learner: learner, artifacts: &artifacts) }
      }
    }
    summary.seconds = (clock.now - start).seconds
    return summary
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
