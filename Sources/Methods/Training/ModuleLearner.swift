import Core

/// A `Core` module (the CNN, the MLP, ResNet-18, any `Module`) seen as a `Learner`: one
/// constituent named "", cross-entropy gradients through autograd, logits in evaluation mode.
public final class ModuleLearner: Learner {
  /// The wrapped module.
  public let module: Module
  /// The number of output classes.
  public let classCount: Int
  private let dropouts: [Dropout]

  /// Wraps `module`, whose outputs are `classCount` logits per sample.
  public init(_ module: Module, classCount: Int) {
    self.module = module
    self.classCount = classCount
    dropouts = module.namedModules().compactMap { $0.1 as? Dropout }
  }

  /// The module, as the one constituent.
  public var constituents: [Constituent] { [Constituent(name: "", module: module)] }

  /// The module trains on all of `indices`.
  public func trainingShares(of indices: [Int]?, sourceCount: Int) -> [TrainingShare] {
    [TrainingShare(constituent: constituents[0], indices: indices)]
  }

  /// Mean cross-entropy (with labels or soft targets) and its gradient, in training mode.
  public func lossAndGradient(inputs: Tensor, targets: Targets, stepSeed: UInt64) throws
    -> (loss: Double, gradient: [Float])
  {
    guard targets.count == inputs.shape.first else {
      throw MethodError.failed(
        method: "model", message: "\(targets.count) targets for a batch of \(inputs.shape.first ?? 0)")
    }
    module.train()
    module.zeroGrad()
    for (i, d) in dropouts.enumerated() { d.reseed(stepSeed &+ UInt64(i) &* 0x9E37_79B9) }
    let logits = try module(Variable(inputs))
    let loss: Variable
    switch targets {
    case .labels(let labels):
      loss = try Functional.crossEntropy(logits, targets: labels)
    case .distributions(let p):
      guard p.shape == logits.shape else {
        throw MethodError.failed(
          method: "model", message: "target distributions of shape \(p.shape) for logits \(logits.shape)")
      }
      let n = Float(max(p.shape[0], 1))
      loss = try (Variable(p) * Functional.logSoftmax(logits, axis: -1)).sum() * (-1 / n)
    }
    try loss.backward()
    let gradient = module.gradientVector().storage
    module.zeroGrad()
    return (Double(loss.value.storage[0]), gradient)
  }

  /// Logits in evaluation mode without recording gradients (the modes are restored).
  public func logits(inputs: Tensor) throws -> Tensor { try module.logits(inputs: inputs) }

  /// A deep copy.
  public func copy() -> Learner { ModuleLearner(module.clone(), classCount: classCount) }
}
