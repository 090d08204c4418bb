import LetheKernels

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and (L2) weight
/// decay, as `torch.optim.SGD`.
public final class SGD: Optimizer {
  /// The parameters updated, in order.
  public let parameters: [Variable]
  /// The learning rate of the next step.
  public var learningRate: Float
  /// The momentum factor (0: plain SGD).
  public let momentum: Float
  /// The dampening of the momentum's new term.
  public let dampening: Float
  /// The L2 penalty added to each gradient as weightDecay·p.
  public let weightDecay: Float
  /// Whether to use Nesterov momentum.
  public let nesterov: Bool
  private var buffers: [[Float]?]

  /// An SGD optimiser; Nesterov needs a positive momentum and zero dampening (as PyTorch).
  public init(
    parameters: [Variable], learningRate: Float, momentum: Float = Options().momentum,
    dampening: Float = Options().dampening, weightDecay: Float = Options().weightDecay,
    nesterov: Bool = Options().nesterov
  ) throws {
    guard learningRate >= 0, momentum >= 0, weightDecay >= 0, dampening >= 0 else {
      throw OptimizerError.invalidHyperparameter(
        "SGD(lr: \(learningRate), momentum: \(momentum), dampening: \(dampening), "
          + "weightDecay: \(weightDecay)) needs non-negative values")
    }
    guard !nesterov || (momentum > 0 && dampening == 0) else {
      throw OptimizerError.invalidHyperparameter("Nesterov momentum needs momentum > 0 and dampening 0")
    }
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    buffers = Array(repeating: nil, count: parameters.count)
  }

  /// Applies one update from the parameters' current gradients (skipping those without one).
  public func step() throws {
    for (i, p) in parameters.enumerated() {
      guard let g = p.grad else { continue }
      try checkGradient(p, g, index: i)
      let first = buffers[i] == nil
      if momentum != 0 && first { buffers[i] = [Float](repeating: 0, count: g.count) }
      let n = g.count
      let (lr, mom, damp, wd, nest) = (learningRate, momentum, dampening, weightDecay, nesterov)
      // Out of place: when the graph of the last step still holds this parameter's value (its
      // storage is shared), an in-place update would first copy it; a fresh buffer written in
      // one pass costs no more when it is not shared.
      let old = p.value
      p.value = Tensor.build(shape: old.shape) { out in
        old.withPointer { pp in
          g.withPointer { gp in
            if mom != 0 {
              buffers[i]!.withUnsafeMutableBufferPointer { bp in
                OptimKernels.sgd(
                  param: pp, grad: gp, buffer: bp.baseAddress!, updated: out, count: n, lr: lr,
                  momentum: mom, dampening: damp, weightDecay: wd, nesterov: nest, firstStep: first)
              }
            } else {
              OptimKernels.sgd(
                param: pp, grad: gp, buffer: nil, updated: out, count: n, lr: lr, momentum: 0,
                dampening: damp, weightDecay: wd, nesterov: false, firstStep: first)
            }
          }
        }
      }
    }
  }

  /// Forgets the per-parameter state, as a freshly built optimiser.
  public func resetState() { buffers = Array(repeating: nil, count: parameters.count) }
}
