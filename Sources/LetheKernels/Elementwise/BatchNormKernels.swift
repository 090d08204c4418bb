/// Batch-norm loops over a tensor viewed as `[N, C, S]` (S = H·W, or 1 for `[N, C]` inputs).
public enum BatchNormKernels {
  /// Per-channel mean and biased variance over N·S values, with Double accumulators. Planes of
  /// at least 16 values take one pass over memory: each plane's sum and its squared deviations
  /// from its own mean (the plane is in cache for the second read), merged with Chan et al.'s
  /// pairwise update; [N, C] inputs (S = 1) take two passes.
  @inline(never)
  public static func statistics(
    _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, mean: UnsafeMutablePointer<Float>,
    variance: UnsafeMutablePointer<Float>
  ) {
    let m = Double(n * s)
    Parallel.forEachIndex(c, work: n * s) { ch in
      if s >= 16 {
        // Running count, mean and sum of squared deviations over the planes seen so far.
        var count = 0.0, mu = 0.0, m2 = 0.0
        let ds = Double(s)
        for b in 0..<n {
          let plane = x + (b * c + ch) * s
          let planeMean = Double(VectorMath.sum(plane, s)) / ds
          let planeM2 = Double(VectorMath.sumSquares(plane, s, shift: Float(planeMean)))
          let total = count + ds
          let delta = planeMean - mu
          mu += delta * ds / total
          m2 += planeM2 + delta * delta * count * ds / total
          count = total
        }
        mean[ch] = Float(mu)
        variance[ch] = Float(m2 / m)
        return
      }
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
    Parallel.forEachIndex(n * c, work: s) { row in
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
    Parallel.forEachIndex(c, work: 2 * n * s) { ch in
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

  /// The ReLU's gradient and `gradientSums` in one pass: gMasked = g where y > 0 (else 0), and
  /// per channel sumG = Σ gMasked, sumGX = Σ gMasked · (x − mean).
  @inline(never)
  public static func reluGradientSums(
    _ g: UnsafePointer<Float>, y: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int,
    s: Int, mean: UnsafePointer<Float>, gMasked: UnsafeMutablePointer<Float>,
    sumG: UnsafeMutablePointer<Float>, sumGX: UnsafeMutablePointer<Float>
  ) {
    typealias V = SIMD16<Float>
    Parallel.forEachIndex(c, work: 3 * n * s) { ch in
      var total = 0.0, dot = 0.0
      let mu = mean[ch]
      let mv = V(repeating: mu)
      for b in 0..<n {
        let off = (b * c + ch) * s
        let (gp, yp, xp, op) = (g + off, y + off, x + off, gMasked + off)
        var a = V(), d = V()
        var i = 0
        while i + 16 <= s {
          let yv = UnsafeRawPointer(yp + i).loadUnaligned(as: V.self)
          let gv = UnsafeRawPointer(gp + i).loadUnaligned(as: V.self)
            .replacing(with: 0, where: yv .<= 0)
          UnsafeMutableRawPointer(op + i).storeBytes(of: gv, as: V.self)
          a += gv
          d += gv * (UnsafeRawPointer(xp + i).loadUnaligned(as: V.self) - mv)
          i += 16
        }
        var ts = a.sum(), td = d.sum()
        while i < s {
          let gv: Float = yp[i] > 0 ? gp[i] : 0
          op[i] = gv
          ts += gv
          td += gv * (xp[i] - mu)
          i += 1
        }
        total += Double(ts)
        dot += Double(td)
      }
      sumG[ch] = Float(total)
      sumGX[ch] = Float(dot)
    }
  }

  /// gx = g · a[c] + x · b[c] + d[c] (the affine form both batch-norm gradients take).
  @inline(never)
  public static func affineGradient(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, d: UnsafePointer<Float>,
    _ gx: UnsafeMutablePointer<Float>
  ) {
    Parallel.forEachIndex(n * c, work: s) { row in
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
