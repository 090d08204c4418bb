import CLetheKernels

/// Small vectorised building blocks shared by the kernels. Float reductions are not
/// vectorised by the compiler (that would reorder the additions), so these keep sixteen
/// partial sums explicitly.
enum VectorMath {
  /// Σ x[i].
  @inline(__always)
  static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
      acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      i += 16
    }
    var s = acc.sum()
    while i < n {
      s += x[i]
      i += 1
    }
    return s
  }

  /// Σ (x[i] − shift)².
  @inline(__always)
  static func sumSquares(_ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    var acc = SIMD16<Float>()
    let m = SIMD16<Float>(repeating: shift)
    var i = 0
    while i + 16 <= n {
      let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - m
      acc += d * d
      i += 16
    }
    var s = acc.sum()
    while i < n {
      let d = x[i] - shift
      s += d * d
      i += 1
    }
    return s
  }

  /// (Σ g[i], Σ g[i]·(x[i] − shift)).
  @inline(__always)
  static func sumAndDot(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, shift: Float
  ) -> (Float, Float) {
    var a = SIMD16<Float>()
    var b = SIMD16<Float>()
    let m = SIMD16<Float>(repeating: shift)
    var i = 0
    while i + 16 <= n {
      let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
      let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      a += gv
      b += gv * (xv - m)
      i += 16
    }
    var s = a.sum()
    var t = b.sum()
    while i < n {
      s += g[i]
      t += g[i] * (x[i] - shift)
      i += 1
    }
    return (s, t)
  }

  /// dst[0..<n] = src[0..<n] for short rows, where a memmove call costs more than the copy.
  @inline(__always)
  static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    if n > 256 {
      dst.update(from: src, count: n)
      return
    }
    for i in 0..<n { dst[i] = src[i] }
  }

  /// dst[0..<n] = 0 for short rows.
  @inline(__always)
  static func zero(_ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    if n > 256 {
      dst.update(repeating: 0, count: n)
      return
    }
    for i in 0..<n { dst[i] = 0 }
  }
}

/// Sixteen-lane transcendental functions (Cephes-style range reduction and polynomials), a
/// few ulp from libm's scalar results, for the activation and softmax loops.
extension VectorMath {
  typealias V = SIMD16<Float>

  /// eˣ per lane; overflows to +∞ above 88.72 and underflows to 0 below −87.3, like expf.
  // Written with AVX-512 intrinsics in lethe_kernels.h: Swift's SIMD masks and selects lower to
  // split 128-bit code there (about 6 ns per element instead of a fraction of one).
  @inline(__always)
  static func exp(_ x: V) -> V { lethe_exp16(x) }

  /// tanh per lane: an odd polynomial near 0, 1 − 2/(e²ˣ + 1) elsewhere (lethe_kernels.h).
  @inline(__always)
  static func tanh(_ x: V) -> V { lethe_tanh16(x) }

  /// 1 / (1 + e⁻ˣ) per lane.
  @inline(__always)
  static func sigmoid(_ x: V) -> V {
    1 / (1 + exp(-x))
  }

  /// out[i] = f(x[i]) sixteen lanes at a time, `scalar` on the tail.
  @inline(__always)
  static func map16(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V,
    _ scalar: (Float) -> Float
  ) {
    var i = 0
    while i + 16 <= n {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: f(v), as: V.self)
      i += 16
    }
    while i < n {
      out[i] = scalar(x[i])
      i += 1
    }
  }
}
