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
  @inline(__always)
  static func exp(_ x: V) -> V {
    let hi = V(repeating: 88.72283)
    let lo = V(repeating: -87.33654)
    // Stdlib SIMD conversions and clamps are generic (per-lane calls); use selects and the
    // 1.5·2²³ trick: adding it rounds to an integer held in the low mantissa bits.
    var xc = x.replacing(with: hi, where: x .> hi)
    xc.replace(with: lo, where: xc .< lo)
    let magic = V(repeating: 12_582_912)
    let t = xc * 1.442695041 + magic
    let n = t - magic
    var r = xc - n * 0.693359375
    r = r + n * 2.12194440e-4
    var p = V(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * (r * r) + r + 1
    // 2ⁿ as 2^(n/2) · 2^(n − n/2), each a normal float built from exponent bits.
    let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
    let n1 = ni &>> 1
    let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: V.self)
    let s2 = unsafeBitCast((ni &- n1 &+ 127) &<< 23, to: V.self)
    var y = p * s1 * s2
    y.replace(with: .infinity, where: x .> hi)
    y.replace(with: 0, where: x .< lo)
    y.replace(with: x, where: x .!= x)
    return y
  }

  /// tanh per lane: an odd polynomial near 0, 1 − 2/(e²ˣ + 1) elsewhere.
  @inline(__always)
  static func tanh(_ x: V) -> V {
    let a = x.replacing(with: -x, where: x .< 0)
    let z = x * x
    var small = V(repeating: -5.70498872745e-3)
    small = small * z + 2.06390887954e-2
    small = small * z - 5.37397155531e-2
    small = small * z + 1.33314422036e-1
    small = small * z - 3.33332819422e-1
    small = small * z * x + x
    var big = 1 - 2 / (exp(a + a) + 1)
    big.replace(with: -big, where: x .< 0)
    var y = big.replacing(with: small, where: a .< 0.625)
    y.replace(with: x, where: x .!= x)
    return y
  }

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
