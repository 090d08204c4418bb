/// In-place optimiser updates over raw buffers, with PyTorch's update rules
/// (`torch.optim.SGD`, `Adam`, `AdamW`, single-tensor path).
public enum OptimKernels {
  /// One SGD step on `count` elements, in place.
  ///
  /// d = g + weightDecay·p; with momentum, buf = d on the first step, else
  /// buf = momentum·buf + (1 − dampening)·d, and d = d + momentum·buf (Nesterov) or buf;
  /// then p −= lr·d. `buffer` may be nil when `momentum == 0`.
  public static func sgd(
    param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
    buffer: UnsafeMutablePointer<Float>?, count: Int, lr: Float, momentum: Float,
    dampening: Float, weightDecay: Float, nesterov: Bool, firstStep: Bool
  ) {
    sgd(
      param: param, grad: grad, buffer: buffer, updated: param, count: count, lr: lr,
      momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov,
      firstStep: firstStep)
  }

  /// One SGD step on `count` elements that writes the new parameters to `updated` (which may be
  /// `param` itself): an optimiser whose parameter storage is shared (copy-on-write) writes a
  /// fresh buffer in one pass instead of copying, then updating. Rules as in
  /// `sgd(param:grad:buffer:…)`; large tensors are split over `Parallel`'s threads.
  public static func sgd(
    param: UnsafePointer<Float>, grad: UnsafePointer<Float>,
    buffer: UnsafeMutablePointer<Float>?, updated: UnsafeMutablePointer<Float>, count: Int,
    lr: Float, momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool,
    firstStep: Bool
  ) {
    let rule = SGDRule(
      lr: lr, momentum: buffer == nil ? 0 : momentum, keep: 1 - dampening, weightDecay: weightDecay,
      nesterov: nesterov, firstStep: firstStep)
    Parallel.forEachChunk(count: count, minChunk: parallelChunk) { range in
      rule.apply(param: param, grad: grad, buffer: buffer, updated: updated, range: range)
    }
  }

  /// Elements per thread below which an update stays on one thread.
  static let parallelChunk = 1 << 15

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

/// SGD's per-element rule, with its branches taken once per call rather than per element.
private struct SGDRule {
  let lr: Float, momentum: Float, keep: Float, weightDecay: Float
  let nesterov: Bool, firstStep: Bool

  func apply(
    param: UnsafePointer<Float>, grad: UnsafePointer<Float>, buffer: UnsafeMutablePointer<Float>?,
    updated: UnsafeMutablePointer<Float>, range: Range<Int>
  ) {
    guard let buffer, momentum != 0 else {
      loop(param, grad, buffer, updated, range, useMomentum: false, nesterov: false, first: false)
      return
    }
    let (p, g, u) = (param, grad, updated)
    switch (nesterov, firstStep) {
    case (false, false): loop(p, g, buffer, u, range, useMomentum: true, nesterov: false, first: false)
    case (false, true): loop(p, g, buffer, u, range, useMomentum: true, nesterov: false, first: true)
    case (true, false): loop(p, g, buffer, u, range, useMomentum: true, nesterov: true, first: false)
    case (true, true): loop(p, g, buffer, u, range, useMomentum: true, nesterov: true, first: true)
    }
  }

  /// The update over `range`, sixteen lanes at a time; each lane computes exactly what the
  /// scalar tail does (same operations, same order), so results do not depend on alignment.
  @inline(__always)
  private func loop(
    _ param: UnsafePointer<Float>, _ grad: UnsafePointer<Float>, _ buffer: UnsafeMutablePointer<Float>?,
    _ updated: UnsafeMutablePointer<Float>, _ range: Range<Int>, useMomentum: Bool, nesterov: Bool,
    first: Bool
  ) {
    typealias V = SIMD16<Float>
    let (vlr, vmom, vkeep, vwd) = (V(repeating: lr), V(repeating: momentum), V(repeating: keep),
      V(repeating: weightDecay))
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      let p = UnsafeRawPointer(param + i).loadUnaligned(as: V.self)
      let g = UnsafeRawPointer(grad + i).loadUnaligned(as: V.self)
      var d = g + vwd * p
      if useMomentum {
        let b = first ? d : vmom * UnsafeRawPointer(buffer! + i).loadUnaligned(as: V.self) + vkeep * d
        UnsafeMutableRawPointer(buffer! + i).storeBytes(of: b, as: V.self)
        d = nesterov ? d + vmom * b : b
      }
      UnsafeMutableRawPointer(updated + i).storeBytes(of: p - vlr * d, as: V.self)
      i += 16
    }
    while i < range.upperBound {
      let p = param[i]
      var d = grad[i] + weightDecay * p
      if useMomentum {
        let b = first ? d : momentum * buffer![i] + keep * d
        buffer![i] = b
        d = nesterov ? d + momentum * b : b
      }
      updated[i] = p - lr * d
      i += 1
    }
  }
}
