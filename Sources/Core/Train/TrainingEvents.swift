/// What the step hooks see: where the loop is, which samples the batch held, and its loss.
/// In `Trainer.beforeUpdate` the parameters still hold their pre-step values and their `grad`s
/// hold this batch's gradients; in `Trainer.afterStep` the parameters are updated.
public struct StepInfo: Sendable {
  /// The epoch (0-based).
  public var epoch: Int
  /// The step within the epoch (0-based).
  public var step: Int
  /// The step counted over the whole run (0-based).
  public var globalStep: Int
  /// The batch's positions in the training source.
  public var indices: [Int]
  /// The batch's loss (including any extra loss term).
  public var loss: Float
  /// The learning rate of this step.
  public var learningRate: Float
}

/// What the epoch hook sees.
public struct EpochInfo: Sendable {
  /// The epoch (0-based).
  public var epoch: Int
  /// Steps taken in this epoch.
  public var steps: Int
  /// Mean batch loss over the epoch (weighted by batch size).
  public var meanLoss: Float
  /// Top-1 accuracy (%) of the training batches' predictions, taken during the epoch.
  public var trainAccuracy: Double
  /// Top-1 accuracy (%) on the evaluation source after the epoch, when one was given.
  public var evaluationAccuracy: Double?
  /// Wall-clock seconds of the epoch's training (evaluation excluded).
  public var seconds: Double
  /// The learning rate at the end of the epoch.
  public var learningRate: Float
}

/// Why a run ended.
public enum StopReason: String, Sendable {
  /// All epochs ran.
  case completed
  /// The time budget ran out.
  case timeBudget
  /// `maxSteps` optimiser steps were taken.
  case stepLimit
  /// The cancellation check returned true.
  case cancelled
}

/// The outcome of `Trainer.fit`.
public struct TrainingReport: Sendable {
  /// One entry per epoch that finished (an interrupted epoch is included, with its steps so far).
  public var epochs: [EpochInfo]
  /// Optimiser steps taken.
  public var steps: Int
  /// Wall-clock seconds of the whole run.
  public var seconds: Double
  /// Why the run ended.
  public var stopReason: StopReason
}
