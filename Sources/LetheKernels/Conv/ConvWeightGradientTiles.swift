import CLetheKernels

/// The register tile of `ConvWeightGradientDirect`: 4 vectors of output channels × 6 patch
/// entries, unrolled on purpose so that every accumulator stays in a register.
extension ConvWeightGradientDirect {
  /// out[t·ld + 16v + lane] (+)= Σ_n gy[64n + 16v + lane] · x[xOffsets[n] + taps[t]] over
  /// `steps` positions n, for t < tapCount (taps[tapCount..<6] must still be readable offsets:
  /// their products are computed and dropped). With `first`, the sums are stored, not added.
  @inline(never)
  static func tile4x6(
    x: UnsafePointer<Float>, taps: UnsafePointer<Int>, xOffsets: UnsafePointer<Int>,
    gy: UnsafePointer<Float>, steps: Int, out: UnsafeMutablePointer<Float>, ld: Int,
    tapCount: Int, first: Bool
  ) {
    var a0_0 = V(), a0_1 = V(), a0_2 = V(), a0_3 = V(), a0_4 = V(), a0_5 = V()
    var a1_0 = V(), a1_1 = V(), a1_2 = V(), a1_3 = V(), a1_4 = V(), a1_5 = V()
    var a2_0 = V(), a2_1 = V(), a2_2 = V(), a2_3 = V(), a2_4 = V(), a2_5 = V()
    var a3_0 = V(), a3_1 = V(), a3_2 = V(), a3_3 = V(), a3_4 = V(), a3_5 = V()
    let t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4], t5 = taps[5]
    for n in 0..<steps {
      let p = x + xOffsets[n], g = UnsafeRawPointer(gy + 64 * n)
      let y0 = g.loadUnaligned(fromByteOffset: 0, as: V.self)
      let y1 = g.loadUnaligned(fromByteOffset: 64, as: V.self)
      let y2 = g.loadUnaligned(fromByteOffset: 128, as: V.self)
      let y3 = g.loadUnaligned(fromByteOffset: 192, as: V.self)
      let b0 = p[t0]
      a0_0 = lethe_cd_fmab(a0_0, y0, b0)
      a1_0 = lethe_cd_fmab(a1_0, y1, b0)
      a2_0 = lethe_cd_fmab(a2_0, y2, b0)
      a3_0 = lethe_cd_fmab(a3_0, y3, b0)
      let b1 = p[t1]
      a0_1 = lethe_cd_fmab(a0_1, y0, b1)
      a1_1 = lethe_cd_fmab(a1_1, y1, b1)
      a2_1 = lethe_cd_fmab(a2_1, y2, b1)
      a3_1 = lethe_cd_fmab(a3_1, y3, b1)
      let b2 = p[t2]
      a0_2 = lethe_cd_fmab(a0_2, y0, b2)
      a1_2 = lethe_cd_fmab(a1_2, y1, b2)
      a2_2 = lethe_cd_fmab(a2_2, y2, b2)
      a3_2 = lethe_cd_fmab(a3_2, y3, b2)
      let b3 = p[t3]
      a0_3 = lethe_cd_fmab(a0_3, y0, b3)
      a1_3 = lethe_cd_fmab(a1_3, y1, b3)
      a2_3 = lethe_cd_fmab(a2_3, y2, b3)
      a3_3 = lethe_cd_fmab(a3_3, y3, b3)
      let b4 = p[t4]
      a0_4 = lethe_cd_fmab(a0_4, y0, b4)
      a1_4 = lethe_cd_fmab(a1_4, y1, b4)
      a2_4 = lethe_cd_fmab(a2_4, y2, b4)
      a3_4 = lethe_cd_fmab(a3_4, y3, b4)
      let b5 = p[t5]
      a0_5 = lethe_cd_fmab(a0_5, y0, b5)
      a1_5 = lethe_cd_fmab(a1_5, y1, b5)
      a2_5 = lethe_cd_fmab(a2_5, y2, b5)
      a3_5 = lethe_cd_fmab(a3_5, y3, b5)
    }
    if tapCount > 0 { addRow(out + 0 * ld, a0_0, a1_0, a2_0, a3_0, first: first) }
    if tapCount > 1 { addRow(out + 1 * ld, a0_1, a1_1, a2_1, a3_1, first: first) }
    if tapCount > 2 { addRow(out + 2 * ld, a0_2, a1_2, a2_2, a3_2, first: first) }
    if tapCount > 3 { addRow(out + 3 * ld, a0_3, a1_3, a2_3, a3_3, first: first) }
    if tapCount > 4 { addRow(out + 4 * ld, a0_4, a1_4, a2_4, a3_4, first: first) }
    if tapCount > 5 { addRow(out + 5 * ld, a0_5, a1_5, a2_5, a3_5, first: first) }
  }

  /// p[0..<64] += the four vectors (= with `first`).
  @inline(__always)
  static func addRow(
    _ p: UnsafeMutablePointer<Float>, _ a: V, _ b: V, _ c: V, _ d: V, first: Bool
  ) {
    let raw = UnsafeMutableRawPointer(p)
    if first {
      raw.storeBytes(of: a, as: V.self)
      raw.storeBytes(of: b, toByteOffset: 64, as: V.self)
      raw.storeBytes(of: c, toByteOffset: 128, as: V.self)
      raw.storeBytes(of: d, toByteOffset: 192, as: V.self)
      return
    }
    raw.storeBytes(of: raw.loadUnaligned(as: V.self) + a, as: V.self)
    raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 64, as: V.self) + b, toByteOffset: 64, as: V.self)
    raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 128, as: V.self) + c, toByteOffset: 128, as: V.self)
    raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 192, as: V.self) + d, toByteOffset: 192, as: V.self)
  }
}
