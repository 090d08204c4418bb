/// Float64 vector arithmetic shared by the second-order routines (vectors are `[Double]`).
enum Float64Vectors {
  /// aᵀb over the common length.
  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { x in
      b.withUnsafeBufferPointer { y in
        var s = 0.0
        for i in 0..<Swift.min(x.count, y.count) { s += x[i] * y[i] }
        return s
      }
    }
  }

  /// ‖a‖₂.
  static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

  /// y += alpha·x.
  static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    x.withUnsafeBufferPointer { xp in
      y.withUnsafeMutableBufferPointer { yp in
        for i in 0..<Swift.min(xp.count, yp.count) { yp[i] += alpha * xp[i] }
      }
    }
  }
}
