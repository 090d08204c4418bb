/// The settings of one training run.
public struct TrainingConfig: Sendable {
  /// Passes over the training indices.
  public var epochs = 1
  /// Samples per mini-batch (the last batch of an epoch may be smaller unless `dropLast`).
  public var batchSize = 64
  /// Seeds the batch order (and the model's dropout masks, when `reseedDropout`).
  public var seed: UInt64 = 0
  /// Whether each epoch visits the indices in a fresh seeded random order.
  public var shuffle = true
  /// Whether to skip a last batch smaller than `batchSize`.
  public var dropLast = false
  /// How a shuffled epoch orders the training indices.
  public var batchOrder = BatchOrder.permuteIndices
  /// Stop (between batches) once this many optimiser steps were taken.
  public var maxSteps: Int?
  /// Stop (between batches) once this many seconds have passed.
  public var timeBudget: Double?
  /// Clips the gradients' joint Euclidean norm to this value before every step
  /// (`clip_grad_norm_`); nil: no clipping.
  public var clipGradientNorm: Double?
  /// The learning-rate schedule, as factors of the optimiser's learning rate at the start.
  public var schedule = LRSchedule.constant
  /// Whether the schedule advances per epoch (PyTorch's usual `scheduler.step()`) or per step.
  public var scheduleUnit = ScheduleUnit.epoch
  /// How progress is shown.
  public var progress = ProgressStyle.automatic
  /// Batch size for evaluation passes.
  public var evaluationBatchSize = 256
  /// Whether to restart every `Dropout` layer's mask stream from `seed`, so that equal seeds
  /// give equal runs even for a model whose dropout streams were used before.
  public var reseedDropout = true

  /// The defaults: 1 epoch, batch 64, seed 0, shuffled, constant rate, automatic progress.
  public init() {}

  /// Checks the settings, throwing a message that names the bad one.
  public func validate() throws {
    guard epochs >= 0 else { throw TrainingError.invalidConfiguration("epochs = \(epochs)") }
    guard batchSize > 0 else {
      throw TrainingError.invalidConfiguration("batchSize = \(batchSize) (must be positive)")
    }
    guard evaluationBatchSize > 0 else {
      throw TrainingError.invalidConfiguration("evaluationBatchSize = \(evaluationBatchSize)")
    }
    if let m = maxSteps, m < 0 { throw TrainingError.invalidConfiguration("maxSteps = \(m)") }
    if let c = clipGradientNorm, !(c >= 0 && c.isFinite) {
      throw TrainingError.invalidConfiguration("clipGradientNorm = \(c) (must be finite and ≥ 0)")
    }
    if let b = timeBudget, !(b >= 0) {
      throw TrainingError.invalidConfiguration("timeBudget = \(b) s")
    }
    try schedule.validate()
  }
}

/// Whether a learning-rate schedule counts epochs or optimiser steps.
public enum ScheduleUnit: String, Sendable, OptionChoice {
  /// t is the epoch index.
  case epoch
  /// t is the global step index.
  case step
}

/// How the training loop reports progress (always on standard error).
public enum ProgressStyle: String, Sendable, OptionChoice {
  /// A bar on a terminal, one line per epoch otherwise.
  case automatic = "auto"
  /// One line per epoch.
  case lines
  /// Nothing.
  case silent
}

/// Errors from the training loop and evaluation.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  /// A setting that cannot run.
  case invalidConfiguration(String)
  /// Indices or batches that do not fit the source or the model.
  case invalidData(String)
  /// The loss became NaN or infinite.
  case nonFiniteLoss(epoch: Int, step: Int)
  /// A parameter's gradient became NaN or infinite.
  case nonFiniteGradient(parameter: String, epoch: Int, step: Int)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .invalidConfiguration(let m): return "invalid training setting: \(m)"
    case .invalidData(let m): return "invalid training data: \(m)"
    case .nonFiniteLoss(let e, let s): return "the loss is not finite at epoch \(e + 1), step \(s + 1)"
    case .nonFiniteGradient(let p, let e, let s):
      return "the gradient of '\(p)' is not finite at epoch \(e + 1), step \(s + 1)"
    }
  }
}
