import LetheKernels

/// Stochastic gradient descent over a flat parameter vector, with PyTorch's momentum and weight
/// decay rule: g ← ∇ + λ·w; v ← μ·v + g (v = g on the first step); w ← w − η·v.
///
/// `ascend` flips the sign of the loss gradient (gradient ascent, as NegGrad uses); weight decay
/// still pulls towards zero.
public struct FlatSGD: Sendable {
  /// The learning rate η.
  public var learningRate: Double
  /// The momentum μ.
  public var momentum: Double
  /// The weight decay λ.
  public var weightDecay: Double
  private var velocity: [Float] = []

  /// An optimiser with empty momentum.
  public init(learningRate: Double, momentum: Double = 0, weightDecay: Double = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
  }

  /// Applies one step to `parameters` in place (the loop is `LetheKernels.OptimKernels.sgd`).
  public mutating func step(_ parameters: inout [Float], gradient: [Float], ascend: Bool = false) {
    precondition(parameters.count == gradient.count, "gradient and parameters differ in length")
    guard !parameters.isEmpty else { return }
    let first = velocity.isEmpty
    if first && momentum != 0 { velocity = [Float](repeating: 0, count: parameters.count) }
    let g = ascend ? gradient.map { -$0 } : gradient
    let (lr, mu, wd) = (Float(learningRate), Float(momentum), Float(weightDecay))
    parameters.withUnsafeMutableBufferPointer { w in
      g.withUnsafeBufferPointer { g in
        velocity.withUnsafeMutableBufferPointer { v in
          OptimKernels.sgd(
            param: w.baseAddress!, grad: g.baseAddress!, buffer: mu == 0 ? nil : v.baseAddress,
            count: w.count, lr: lr, momentum: mu, dampening: 0, weightDecay: wd, nesterov: false,
            firstStep: first)
        }
      }
    }
  }
}
