import Core

/// A `Core` module (the CNN, the MLP, ResNet-18, any `Module`) seen as a `Learner`: cross-entropy
/// gradients through autograd, logits in evaluation mode, flat parameter and state vectors in
/// state-dict order.
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

  /// The number of trainable scalars.
  public var parameterCount: Int { module.parameterCount }

  /// The parameters, flattened in state-dict order.
  public func parameterVector() -> [Float] { module.parameterVector().storage }

  /// Writes a flat parameter vector back into the module.
  public func loadParameterVector(_ vector: [Float]) throws {
    try module.setParameterVector(Tensor(shape: [vector.count], storage: vector))
  }

  /// Parameters then buffers (batch-norm statistics, counters), flattened.
  public func stateVector() -> [Float] {
    var v = parameterVector()
    for (_, b) in module.namedBuffers() { v.append(contentsOf: b.value.storage) }
    return v
  }

  /// Restores a `stateVector()`.
  public func loadStateVector(_ vector: [Float]) throws {
    let buffers = module.namedBuffers()
    let total = parameterCount + buffers.reduce(0) { $0 + $1.1.value.count }
    guard vector.count == total else {
      throw MethodError.failed(
        method: "model", message: "a state of \(vector.count) values for a model holding \(total)")
    }
    try loadParameterVector(Array(vector[0..<parameterCount]))
    var offset = parameterCount
    for (_, b) in buffers {
      let n = b.value.count
      b.value = Tensor(shape: b.value.shape, storage: Array(vector[offset..<(offset + n)]))
      offset += n
    }
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

  /// Logits in evaluation mode without recording gradients (the mode is restored).
  public func logits(inputs: Tensor) throws -> Tensor {
    let wasTraining = module.isTraining
    module.eval()
    defer { module.train(wasTraining) }
    return try GradMode.withoutGrad { try module(Variable(inputs)).value }
  }

  /// A deep copy.
  public func copy() -> Learner { ModuleLearner(module.clone(), classCount: classCount) }
}
