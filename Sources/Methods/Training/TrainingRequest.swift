import Core

/// What a training run of a learner should do: the data, the recipe, and how the run departs
/// from plain SGD descent. `LearnerTrainer.train` carries it out with `Core`'s `Trainer`.
public struct TrainingRequest {
  /// A method's observer with the method's name (used to account the observer's time).
  public typealias NamedObserver = (name: String, observer: TrainingObserver)

  /// The training source.
  public var source: BatchSource
  /// The positions of `source` to train on (nil: all of it).
  public var indices: [Int]?
  /// Epochs, batch size, SGD hyperparameters and the seed of the data order.
  public var recipe: TrainingRecipe
  /// The optimiser: SGD with the recipe's momentum (the default), or Adam (PyTorch's betas and
  /// eps); both with the recipe's learning rate and weight decay.
  public var optimizer = OptimizerKind.sgd
  /// Climbs the cross-entropy instead of descending it (weight decay still pulls towards zero).
  public var ascend = false
  /// Stops after this many optimiser steps (per constituent, or per stage of a staged share), when
  /// given.
  public var maxSteps: Int?
  /// Polled between batches; returning true stops the run with `TrainingInterrupted`.
  public var shouldStop: () -> Bool = { false }
  /// Observers attached to the loop's hooks (an own-M0 method's may also shape the loop).
  public var observers: [NamedObserver] = []
  /// Changes the `Trainer` (its loss, an extra loss) before the run.
  public var configure: ((Trainer) throws -> Void)?
  /// Called after every step with the 1-based epoch, 1-based batch, batches per epoch and loss.
  public var progress: ((_ epoch: Int, _ batch: Int, _ batchCount: Int, _ loss: Double) -> Void)?

  /// A request to train on `indices` of `source` (all of it when nil) with `recipe`.
  public init(
    source: BatchSource, indices: [Int]? = nil, recipe: TrainingRecipe, ascend: Bool = false,
    maxSteps: Int? = nil, shouldStop: @escaping () -> Bool = { false }
  ) {
    self.source = source
    self.indices = indices
    self.recipe = recipe
    self.ascend = ascend
    self.maxSteps = maxSteps
    self.shouldStop = shouldStop
  }
}

extension TrainingRequest {
  /// The optimisers a training request may use.
  public enum OptimizerKind: String, Sendable, OptionChoice {
    /// `torch.optim.SGD` with momentum and weight decay.
    case sgd
    /// `torch.optim.Adam` (L2 weight decay in the gradient).
    case adam
  }
}
