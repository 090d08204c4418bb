/// Inverted-dropout mask and output in one pass over the input.
public enum DropoutKernels {
  /// For element i, the uniform is 24 bits of `draws[i / 2]` (low word for even i, high word
  /// for odd i, bits 8...31 of each); the element survives when it is ≥ `threshold`.
  /// Writes mask[i] = `keep` or 0 and y[i] = x[i] · mask[i].
  public static func apply(
    x: UnsafePointer<Float>, draws: UnsafePointer<UInt64>, threshold: UInt32, keep: Float,
    mask: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int
  ) {
    var i = 0
    while i + 1 < count {
      let r = draws[i >> 1]
      let m0: Float = UInt32(truncatingIfNeeded: r) >> 8 >= threshold ? keep : 0
      let m1: Float = UInt32(truncatingIfNeeded: r >> 32) >> 8 >= threshold ? keep : 0
      mask[i] = m0
      mask[i + 1] = m1
      y[i] = x[i] * m0
      y[i + 1] = x[i + 1] * m1
      i += 2
    }
    if i < count {
      let m: Float = UInt32(truncatingIfNeeded: draws[i >> 1]) >> 8 >= threshold ? keep : 0
      mask[i] = m
      y[i] = x[i] * m
    }
  }
}
