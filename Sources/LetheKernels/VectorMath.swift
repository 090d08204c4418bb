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
