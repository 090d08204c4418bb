/// Watches a training run of `SGDTrainer` (Core's `Trainer`; the observer is attached to its
/// hooks): a method's `prepare` returns one to record what its `unlearn` will need while M0
/// trains (checkpoints, iterates, gradients).
///
/// Observers write into the `PreparedArtifacts` they are given; those artifacts are cached with
/// M0 and handed back to the method at unlearning time.
public protocol TrainingObserver: AnyObject {
  /// Called once before the first step, with the initial model.
  func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws
  /// Called after each optimiser step, with the batch's indices (positions in the training
  /// source) and the gradient that was applied.
  func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws
  /// Called after each epoch (1-based).
  func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws
}

extension TrainingObserver {
  /// Default: nothing.
  public func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws {}
  /// Default: nothing.
  public func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {}
  /// Default: nothing.
  public func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {}
}

/// One optimiser step as an observer sees it.
public struct TrainingStep: Sendable {
  /// 1-based epoch.
  public var epoch: Int
  /// 0-based step count over the whole run.
  public var step: Int
  /// The batch's sample indices in the training source.
  public var indices: [Int]
  /// The batch's cross-entropy before the step.
  public var loss: Double
  /// The gradient of the trained loss (weight decay not included) at the parameters before the
  /// step, read in `Trainer.beforeUpdate`.
  public var gradient: [Float]
  /// The learning rate used.
  public var learningRate: Double
}
