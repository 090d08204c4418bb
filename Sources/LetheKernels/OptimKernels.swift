/// In-place optimiser updates over raw buffers, with PyTorch's update rules
/// (`torch.optim.SGD`, `Adam`, `AdamW`, single-tensor path).
public enum OptimKernels {
  /// One SGD step on `count` elements.
  ///
  /// d = g + weightDecay·p; with momentum, buf = d on the first step, else
  /// buf = momentum·buf + (1 − dampening)·d, and d = d + momentum·buf (Nesterov) or buf;
  /// then p −= lr·d. `buffer` may be nil when `momentum == 0`.
  public static func sgd(
    param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
    buffer: UnsafeMutablePointer<Float>?, count: Int, lr: Float, momentum: Float,
    dampening: Float, weightDecay: Float, nesterov: Bool, firstStep: Bool
  ) {
    guard let buf = buffer, momentum != 0 else {
      for i in 0..<count { param[i] -= lr * (grad[i] + weightDecay * param[i]) }
      return
    }
    let keep = 1 - dampening
    for i in 0..<count {
      let d = grad[i] + weightDecay * param[i]
      let b = firstStep ? d : momentum * buf[i] + keep * d
      buf[i] = b
      param[i] -= lr * (nesterov ? d + momentum * b : b)
    }
  }

  /// One Adam/AdamW step on `count` elements (`step` counts from 1).
  ///
  /// Adam adds weightDecay·p to the gradient; AdamW (`decoupled`) first scales p by
  /// (1 − lr·weightDecay). Then m ← m + (1−β1)(g − m), v ← β2·v + (1−β2)·g²,
  /// p −= lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps).
  public static func adam(
    param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, step: Int,
    lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, decoupled: Bool
  ) {
    // Bias corrections in double, as PyTorch computes them in Python floats.
    let bc1 = 1 - Double(beta1).pow(step)
    let bc2Sqrt = (1 - Double(beta2).pow(step)).squareRoot()
    let stepSize = Float(Double(lr) / bc1)
    let bc2SqrtF = Float(bc2Sqrt)
    let decay = decoupled ? 1 - lr * weightDecay : 1
    let l2 = decoupled ? 0 : weightDecay
    let oneMinusBeta1 = 1 - beta1
    let oneMinusBeta2 = 1 - beta2
    for i in 0..<count {
      var p = param[i]
      if decoupled { p *= decay }
      let g = grad[i] + l2 * p
      let mi = m[i] + oneMinusBeta1 * (g - m[i])
      let vi = beta2 * v[i] + oneMinusBeta2 * g * g
      m[i] = mi
      v[i] = vi
      param[i] = p - stepSize * (mi / (vi.squareRoot() / bc2SqrtF + eps))
    }
  }
}

extension Double {
  fileprivate func pow(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= self }
    return r
  }
}
