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

  /// Applies one step to `parameters` in place.
  public mutating func step(_ parameters: inout [Float], gradient: [Float], ascend: Bool = false) {
    precondition(parameters.count == gradient.count, "gradient and parameters differ in length")
    let lr = Float(learningRate)
    let mu = Float(momentum)
    let wd = Float(weightDecay)
    let sign: Float = ascend ? -1 : 1
    let first = velocity.isEmpty
    if first && mu != 0 { velocity = [Float](repeating: 0, count: parameters.count) }
    parameters.withUnsafeMutableBufferPointer { w in
      gradient.withUnsafeBufferPointer { g in
        if mu == 0 {
          for i in 0..<w.count { w[i] -= lr * (sign * g[i] + wd * w[i]) }
          return
        }
        velocity.withUnsafeMutableBufferPointer { v in
          for i in 0..<w.count {
            let d = sign * g[i] + wd * w[i]
            v[i] = first ? d : mu * v[i] + d
            w[i] -= lr * v[i]
          }
        }
      }
    }
  }
}
