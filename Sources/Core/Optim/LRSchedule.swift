import Foundation

/// A learning-rate schedule: a factor of the base learning rate at each point t (an epoch or a
/// step, as the training loop is told), composable.
public indirect enum LRSchedule: Sendable, Equatable {
  /// Factor 1 throughout.
  case constant
  /// `StepLR`: gamma^⌊t / every⌋.
  case step(every: Int, gamma: Float)
  /// `CosineAnnealingLR`: minFactor + (1 − minFactor)·(1 + cos(π·t/period))/2, then minFactor.
  case cosine(period: Int, minFactor: Float)
  /// Linear warm-up: (t + 1)/steps for t < steps, then `then` at t − steps.
  case warmup(steps: Int, then: LRSchedule)
  /// The product of two schedules' factors.
  case product(LRSchedule, LRSchedule)

  /// The factor at `t` (t ≥ 0).
  public func factor(at t: Int) -> Float {
    switch self {
    case .constant:
      return 1
    case .step(let every, let gamma):
      return Float(pow(Double(gamma), Double(t / max(every, 1))))
    case .cosine(let period, let minFactor):
      guard period > 0, t < period else { return minFactor }
      let c = (1 + cos(Double.pi * Double(t) / Double(period))) / 2
      return minFactor + (1 - minFactor) * Float(c)
    case .warmup(let steps, let then):
      if t < steps { return Float(t + 1) / Float(steps) }
      return then.factor(at: t - steps)
    case .product(let a, let b):
      return a.factor(at: t) * b.factor(at: t)
    }
  }

  /// Checks the schedule's settings, throwing on a non-positive period or a negative factor.
  public func validate() throws {
    switch self {
    case .constant: return
    case .step(let every, let gamma):
      guard every > 0, gamma >= 0 else {
        throw OptimizerError.invalidHyperparameter("step schedule (every: \(every), gamma: \(gamma))")
      }
    case .cosine(let period, let minFactor):
      guard period > 0, minFactor >= 0 else {
        throw OptimizerError.invalidHyperparameter(
          "cosine schedule (period: \(period), minFactor: \(minFactor))")
      }
    case .warmup(let steps, let then):
      guard steps >= 0 else {
        throw OptimizerError.invalidHyperparameter("warm-up of \(steps) steps")
      }
      try then.validate()
    case .product(let a, let b):
      try a.validate()
      try b.validate()
    }
  }
}
