import LetheKernels

/// Adam (`torch.optim.Adam`, weight decay added to the gradient) and AdamW
/// (`torch.optim.AdamW`, decoupled weight decay), without AMSGrad.
public final class Adam: Optimizer {
  /// The parameters updated, in order.
  public let parameters: [Variable]
  /// The learning rate of the next step.
  public var learningRate: Float
  /// The decay rate of the first-moment estimate.
  public let beta1: Float
  /// The decay rate of the second-moment estimate.
  public let beta2: Float
  /// Added to the denominator.
  public let eps: Float
  /// The weight decay: an L2 term in the gradient (Adam) or a decoupled shrink (AdamW).
  public let weightDecay: Float
  /// Whether weight decay is decoupled (AdamW).
  public let decoupled: Bool
  private var steps: [Int]
  private var firstMoments: [[Float]]
  private var secondMoments: [[Float]]

  /// Adam with PyTorch's defaults (`Options`: lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay).
  public init(
    parameters: [Variable], learningRate: Float = Options().learningRate, beta1: Float = Options().beta1,
    beta2: Float = Options().beta2, eps: Float = Options().eps, weightDecay: Float = Options().weightDecay,
    decoupled: Bool = Options().decoupled
  ) throws {
    guard learningRate >= 0, eps >= 0, weightDecay >= 0, (0..<1).contains(beta1),
      (0..<1).contains(beta2)
    else {
      throw OptimizerError.invalidHyperparameter(
        "Adam(lr: \(learningRate), betas: \(beta1)/\(beta2), eps: \(eps), "
          + "weightDecay: \(weightDecay)) needs 0 ≤ β < 1 and non-negative values")
    }
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    self.decoupled = decoupled
    steps = Array(repeating: 0, count: parameters.count)
    firstMoments = Array(repeating: [], count: parameters.count)
    secondMoments = Array(repeating: [], count: parameters.count)
  }

  /// AdamW with PyTorch's defaults (`Options.adamW`: lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 1e-2).
  public static func adamW(
    parameters: [Variable], learningRate: Float = Options.adamW.learningRate, beta1: Float = Options.adamW.beta1,
    beta2: Float = Options.adamW.beta2, eps: Float = Options.adamW.eps, weightDecay: Float = Options.adamW.weightDecay
  ) throws -> Adam {
    try Adam(
      parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
      weightDecay: weightDecay, decoupled: true)
  }

  /// Applies one update from the parameters' current gradients (skipping those without one).
  public func step() throws {
    for (i, p) in parameters.enumerated() {
      guard let g = p.grad else { continue }
      try checkGradient(p, g, index: i)
      if steps[i] == 0 {
        firstMoments[i] = [Float](repeating: 0, count: g.count)
        secondMoments[i] = [Float](repeating: 0, count: g.count)
      }
      steps[i] += 1
      let (n, t) = (g.count, steps[i])
      let (lr, b1, b2, e, wd, dec) = (learningRate, beta1, beta2, eps, weightDecay, decoupled)
      g.storage.withUnsafeBufferPointer { gp in
        p.value.storage.withUnsafeMutableBufferPointer { pp in
          firstMoments[i].withUnsafeMutableBufferPointer { mp in
            secondMoments[i].withUnsafeMutableBufferPointer { vp in
              OptimKernels.adam(
                param: pp.baseAddress!, grad: gp.baseAddress!, m: mp.baseAddress!,
                v: vp.baseAddress!, count: n, step: t, lr: lr, beta1: b1, beta2: b2, eps: e,
                weightDecay: wd, decoupled: dec)
            }
          }
        }
      }
    }
  }

  /// Forgets the per-parameter state, as a freshly built optimiser.
  public func resetState() {
    steps = Array(repeating: 0, count: parameters.count)
    firstMoments = Array(repeating: [], count: parameters.count)
    secondMoments = Array(repeating: [], count: parameters.count)
  }
}
