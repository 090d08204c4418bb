/// Batch-norm loops over a tensor viewed as `[N, C, S]` (S = H·W, or 1 for `[N, C]` inputs).
public enum BatchNormKernels {
  /// Per-channel mean and biased variance over N·S values (two passes, Double accumulators).
  @inline(never)
  public static func statistics(
    _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, mean: UnsafeMutablePointer<Float>,
    variance: UnsafeMutablePointer<Float>
  ) {
    let m = Double(n * s)
    Conv2dKernels.perSample(c, work: n * s) { ch in
      var acc = 0.0
      for b in 0..<n {
        acc += Double(VectorMath.sum(x + (b * c + ch) * s, s))
      }
      let mu = Float(acc / m)
      var acc2 = 0.0
      for b in 0..<n {
        acc2 += Double(VectorMath.sumSquares(x + (b * c + ch) * s, s, shift: mu))
      }
      mean[ch] = mu
      variance[ch] = Float(acc2 / m)
    }
  }

  /// y = x · scale[c] + shift[c], plus `residual` when given, then max(·, 0) when `relu`.
  @inline(never)
  public static func scaleShift(
    _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, scale: UnsafePointer<Float>,
    shift: UnsafePointer<Float>, residual: UnsafePointer<Float>? = nil, relu: Bool = false,
    _ y: UnsafeMutablePointer<Float>
  ) {
    Conv2dKernels.perSample(n * c, work: s) { row in
      let ch = row % c
      let off = row * s
      let a = scale[ch]
      let d = shift[ch]
      switch (residual, relu) {
      case (nil, false):
        for i in 0..<s { y[off + i] = x[off + i] * a + d }
      case (nil, true):
        for i in 0..<s { y[off + i] = Swift.max(x[off + i] * a + d, 0) }
      case (let r?, false):
        for i in 0..<s { y[off + i] = x[off + i] * a + d + r[off + i] }
      case (let r?, true):
        for i in 0..<s { y[off + i] = Swift.max(x[off + i] * a + d + r[off + i], 0) }
      }
    }
  }

  /// Per channel: sumG = Σ g and sumGX = Σ g · (x − mean).
  @inline(never)
  public static func gradientSums(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
    mean: UnsafePointer<Float>, sumG: UnsafeMutablePointer<Float>,
    sumGX: UnsafeMutablePointer<Float>
  ) {
    Conv2dKernels.perSample(c, work: 2 * n * s) { ch in
      var a = 0.0
      var b2 = 0.0
      let mu = mean[ch]
      for b in 0..<n {
        let off = (b * c + ch) * s
        let (r1, r2) = VectorMath.sumAndDot(g + off, x + off, s, shift: mu)
        a += Double(r1)
        b2 += Double(r2)
      }
      sumG[ch] = Float(a)
      sumGX[ch] = Float(b2)
    }
  }

  /// gx = g · a[c] + x · b[c] + d[c] (the affine form both batch-norm gradients take).
  @inline(never)
  public static func affineGradient(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, d: UnsafePointer<Float>,
    _ gx: UnsafeMutablePointer<Float>
  ) {
    Conv2dKernels.perSample(n * c, work: s) { row in
      let ch = row % c
      do {
        let off = row * s
        let ga = a[ch]
        let xb = b[ch]
        let dd = d[ch]
        for i in 0..<s { gx[off + i] = g[off + i] * ga + x[off + i] * xb + dd }
      }
    }
  }
}
