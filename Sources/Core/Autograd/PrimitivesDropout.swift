import LetheKernels

/// Inverted dropout.
extension Primitives {
  /// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p).
  static func dropout(_ x: Variable, p: Float, training: Bool, rng: inout RandomGenerator) throws
    -> Variable
  {
    guard p >= 0, p <= 1 else {
      throw TensorError.invalidArgument("dropout: probability \(p) outside [0, 1]")
    }
    if !training || p == 0 { return x }
    let keep = p >= 1 ? 0 : 1 / (1 - p)
    let n = x.value.count
    // Two 24-bit uniforms per 64-bit draw; an element survives when its uniform u ≥ p.
    let threshold = UInt32(Swift.min(Double(p) * 16_777_216, 16_777_216))
    let drawCount = (n + 1) / 2
    let draws = [UInt64](unsafeUninitializedCapacity: drawCount) { buf, initialized in
      for j in 0..<drawCount { buf[j] = rng.next() }
      initialized = drawCount
    }
    var maskT = Tensor.uninitialized(x.shape)
    let y = Tensor.build(shape: x.shape) { yp in
      x.value.withPointer { xp in
        draws.withUnsafeBufferPointer { dp in
          maskT.withMutablePointer { mp in
            DropoutKernels.apply(
              x: xp, draws: dp.baseAddress!, threshold: threshold, keep: keep, mask: mp, y: yp,
              count: n)
          }
        }
      }
    }
    return record("dropout", y, [x]) { [maskT] g, _ in [try g * maskT] }
  }
}
