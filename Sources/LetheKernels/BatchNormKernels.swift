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
        let row = x + (b * c + ch) * s
        var r: Float = 0
        for i in 0..<s { r += row[i] }
        acc += Double(r)
      }
      let mu = Float(acc / m)
      var acc2 = 0.0
      for b in 0..<n {
        let row = x + (b * c + ch) * s
        var r: Float = 0
        for i in 0..<s {
          let d = row[i] - mu
          r += d * d
        }
        acc2 += Double(r)
      }
      mean[ch] = mu
      variance[ch] = Float(acc2 / m)
    }
  }

  /// y = x · scale[c] + shift[c].
  @inline(never)
  public static func scaleShift(
    _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, scale: UnsafePointer<Float>,
    shift: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
  ) {
    Conv2dKernels.perSample(n * c, work: s) { row in
      let ch = row % c
      do {
        let off = row * s
        let a = scale[ch]
        let d = shift[ch]
        for i in 0..<s { y[off + i] = x[off + i] * a + d }
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
        var r1: Float = 0
        var r2: Float = 0
        for i in 0..<s {
          r1 += g[off + i]
          r2 += g[off + i] * (x[off + i] - mu)
        }
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
