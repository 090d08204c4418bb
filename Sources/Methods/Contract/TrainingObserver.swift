import Core

/// Watches, and may shape, a training run of `LearnerTrainer` (Core's `Trainer`; the observer is
/// attached to its hooks): a method's `prepare` returns one to record what its `unlearn` will need
/// while M0 trains (checkpoints, iterates, gradients) and, when the method needs its own M0, to
/// change that training (Unrolling SGD's regulariser, a different loss).
///
/// Observers write into the `PreparedArtifacts` they are given; those artifacts are cached with
/// M0 and handed back to the method at unlearning time.
///
/// Watching and shaping differ in what M0 is. An observer whose `trainingChange` is nil only
/// watches: every scheduled method's watcher rides along on the one shared M0. An observer with a
/// `trainingChange` gets an M0 of its own, trained with only that observer, configured through
/// `configure`, and cached under a key that includes the change; M_retrain stays the plain
/// reference, so the method's metrics include the cost of what it changed.
public protocol TrainingObserver: AnyObject {
  /// How this observer changes M0's training, as a stable text that names every setting
  /// (e.g. "std_loss weight=1"); nil (the default) when it only watches.
  var trainingChange: String? { get }
  /// Shapes the loop before M0 trains (e.g. replaces `trainer.loss` or sets `trainer.extraLoss`);
  /// called only when `trainingChange` is non-nil, once per `Trainer` (one per constituent),
  /// before `trainingWillStart`.
  func configure(_ trainer: Trainer, learner: Learner) throws
  /// `configure(_:learner:)` with the number of samples the loop will train on (for a change
  /// scaled by the training set's size, CR's objective perturbation b·w/n); the default calls
  /// `configure(_:learner:)`. `LearnerTrainer` calls this one.
  func configure(_ trainer: Trainer, learner: Learner, trainingSamples: Int) throws
  /// Called once before the first step, with the initial model.
  func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws
  /// Called after each optimiser step, with the batch's indices (positions in the training
  /// source) and the gradient that was applied.
  func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws
  /// Called after each epoch (1-based) of each constituent's training.
  func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws
  /// Called once after the last epoch with the data the learner trained on (`indices` of
  /// `source`; nil: all of it), for statistics of the trained model over its training data
  /// (Sekhari et al.'s Hessian). A shaping observer may also train further here (DeltaGrad's
  /// head phase).
  func trainingDidFinish(
    _ learner: Learner, source: BatchSource, indices: [Int]?, artifacts: inout PreparedArtifacts) throws
  /// Called after each stage of a constituent's training (`TrainingShare.stages`; a plain share
  /// has one), e.g. to keep a checkpoint per SISA slice.
  func didFinishStage(_ stage: FinishedStage, learner: Learner, artifacts: inout PreparedArtifacts) throws
  /// The learner M0 is, when the change makes M0 a different kind of model (SISA: an ensemble of
  /// shard models); nil (the default) keeps the model the schedule names. `build(seed)` makes a
  /// freshly initialised model of the schedule's kind; `seed` is the run's. Called only when
  /// `trainingChange` is non-nil; the learner is built once per M0 and again for each fresh copy,
  /// so it must be a pure function of its arguments.
  func shapedLearner(build: (_ seed: UInt64) throws -> Learner, seed: UInt64) throws -> Learner?
}

extension TrainingObserver {
  /// Default: watches only.
  public var trainingChange: String? { nil }
  /// Default: nothing.
  public func configure(_ trainer: Trainer, learner: Learner) throws {}
  /// Default: `configure(_:learner:)`.
  public func configure(_ trainer: Trainer, learner: Learner, trainingSamples: Int) throws {
    try configure(trainer, learner: learner)
  }
  /// Default: nothing.
  public func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws {}
  /// Default: nothing.
  public func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {}
  /// Default: nothing.
  public func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {}
  /// Default: nothing.
  public func trainingDidFinish(
    _ learner: Learner, source: BatchSource, indices: [Int]?, artifacts: inout PreparedArtifacts
  ) throws {}
  /// Default: nothing.
  public func didFinishStage(_ stage: FinishedStage, learner: Learner, artifacts: inout PreparedArtifacts) throws {}
  /// Default: the schedule's model.
  public func shapedLearner(build: (_ seed: UInt64) throws -> Learner, seed: UInt64) throws -> Learner? { nil }
}

/// A stage of a constituent's training that has just finished.
public struct FinishedStage: Sendable {
  /// The constituent trained ("" for a single model).
  public var constituent: String
  /// The stage's position in its share (0-based).
  public var index: Int
  /// The stage's name (`TrainingStage.name`).
  public var name: String
}

/// One optimiser step as an observer sees it.
public struct TrainingStep: Sendable {
  /// The learner's constituent that took the step ("" for a single model).
  public var constituent: String
  /// 1-based epoch.
  public var epoch: Int
  /// 0-based step count over the whole run.
  public var step: Int
  /// The batch's sample indices in the training source.
  public var indices: [Int]
  /// The batch's cross-entropy before the step.
  public var loss: Double
  /// The gradient of the trained loss (weight decay not included) with respect to the
  /// constituent's parameters before the step, read in `Trainer.beforeUpdate`.
  public var gradient: [Float]
  /// The learning rate used.
  public var learningRate: Double
}
