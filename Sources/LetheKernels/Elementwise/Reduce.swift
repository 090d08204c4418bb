#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Reductions along one axis of a tensor viewed as `[outer, n, inner]` (row-major), and the
/// row-wise softmax family that works on the same view.
public enum Reduce {
  /// out[o, i] = Σ_r x[o, r, i].
  @inline(never)
  public static func sum(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    if inner == 1 {
      for o in 0..<outer {
        out[o] = VectorMath.sum(x + o * n, n)
      }
      return
    }
    for o in 0..<outer {
      let dst = out + o * inner
      dst.update(repeating: 0, count: inner)
      for r in 0..<n {
        let src = x + (o * n + r) * inner
        for i in 0..<inner { dst[i] += src[i] }
      }
    }
  }

  /// out[o, i] = max_r x[o, r, i], and index[o, i] = the first r attaining it (NaN wins).
  @inline(never)
  public static func max(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>,
    index: UnsafeMutablePointer<Int32>?
  ) {
    for o in 0..<outer {
      for i in 0..<inner {
        let p = x + o * n * inner + i
        var best = p[0]
        var bi = 0
        if !best.isNaN {
          for r in 1..<Swift.max(n, 1) {
            let v = p[r * inner]
            if v > best || v.isNaN {
              best = v
              bi = r
              if v.isNaN { break }
            }
          }
        }
        out[o * inner + i] = best
        index?[o * inner + i] = Int32(bi)
      }
    }
  }

  /// out[o, i] = min_r x[o, r, i].
  @inline(never)
  public static func min(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    for o in 0..<outer {
      for i in 0..<inner {
        let p = x + o * n * inner + i
        var best = p[0]
        for r in 1..<Swift.max(n, 1) where p[r * inner] < best { best = p[r * inner] }
        out[o * inner + i] = best
      }
    }
  }

  /// Scatters `g[o, i]` to `out[o, index[o, i], i]` (out is zeroed first): max's gradient.
  @inline(never)
  public static func maxBackward(
    _ g: UnsafePointer<Float>, index: UnsafePointer<Int32>, outer: Int, n: Int, inner: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    out.update(repeating: 0, count: outer * n * inner)
    for o in 0..<outer {
      for i in 0..<inner {
        out[(o * n + Int(index[o * inner + i])) * inner + i] = g[o * inner + i]
      }
    }
  }

  /// Softmax (or log-softmax) along the middle axis, numerically stabilised by the maximum.
  @inline(never)
  public static func softmax(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>,
    log: Bool
  ) {
    if inner == 1 {
      for o in 0..<outer { softmaxRow(x + o * n, out + o * n, n, log: log) }
      return
    }
    for o in 0..<outer {
      for i in 0..<inner {
        let p = x + o * n * inner + i
        let q = out + o * n * inner + i
        var m = -Float.infinity
        for r in 0..<n where p[r * inner] > m { m = p[r * inner] }
        if m == -.infinity { m = 0 }
        var s: Float = 0
        for r in 0..<n { s += expf(p[r * inner] - m) }
        if log {
          let lse = m + logf(s)
          for r in 0..<n { q[r * inner] = p[r * inner] - lse }
        } else {
          let inv = 1 / s
          for r in 0..<n { q[r * inner] = expf(p[r * inner] - m) * inv }
        }
      }
    }
  }

  /// Gradient of softmax given its output y: gx = y · (g − Σ g·y).
  @inline(never)
  public static func softmaxBackward(
    _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * n * inner + i
        var dot: Float = 0
        for r in 0..<n { dot += g[base + r * inner] * y[base + r * inner] }
        for r in 0..<n {
          let k = base + r * inner
          out[k] = y[k] * (g[k] - dot)
        }
      }
    }
  }

  /// Gradient of log-softmax given its output y: gx = g − softmax · Σ g.
  @inline(never)
  public static func logSoftmaxBackward(
    _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    if inner == 1 {
      for o in 0..<outer {
        let (gr, yr, q) = (g + o * n, y + o * n, out + o * n)
        let s = VectorMath.sum(gr, n)
        // q = e^y first, then q = g − q·Σg.
        VectorMath.map16(yr, q, n, VectorMath.exp) { expf($0) }
        for r in 0..<n { q[r] = gr[r] - q[r] * s }
      }
      return
    }
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * n * inner + i
        var s: Float = 0
        for r in 0..<n { s += g[base + r * inner] }
        for r in 0..<n {
          let k = base + r * inner
          out[k] = g[k] - expf(y[k]) * s
        }
      }
    }
  }

  /// One contiguous row of softmax / log-softmax with sixteen-lane exponentials.
  static func softmaxRow(
    _ p: UnsafePointer<Float>, _ q: UnsafeMutablePointer<Float>, _ n: Int, log: Bool
  ) {
    var m = -Float.infinity
    for r in 0..<n where p[r] > m { m = p[r] }
    if m == -.infinity { m = 0 }
    // q = e^(x − m), then Σ q.
    let shift = SIMD16<Float>(repeating: m)
    VectorMath.map16(p, q, n, { VectorMath.exp($0 - shift) }, { expf($0 - m) })
    let s = VectorMath.sum(q, n)
    if log {
      let lse = m + logf(s)
      for r in 0..<n { q[r] = p[r] - lse }
    } else {
      let inv = 1 / s
      for r in 0..<n { q[r] *= inv }
    }
  }
}
