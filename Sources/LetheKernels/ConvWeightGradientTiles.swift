import CBLAS

/// The register tiles of `ConvWeightGradientDirect` (4 × 5, 7 × 3 and 12 × 1 accumulators):
/// unrolled on purpose, one body per tile shape, so that every accumulator stays in a register.
extension ConvWeightGradientDirect {
  /// out[r·ld + i·tapStride] += Σ over `steps` steps of gy row r · x plane i at one kernel
  /// position, for r < rowCount, i < channelCount, with the register tile of `shape`. `x` is
  /// already offset by the kernel position; `rows` and `planes` hold the tile's gy-row and
  /// x-plane offsets (the last repeated past the count); step n adds `gyOffsets[n]` and
  /// `xOffsets[n]` and keeps the lanes of `masks[n]`.
  @inline(__always)
  static func tile(
    _ shape: TileShape, x: UnsafePointer<Float>, gy: UnsafePointer<Float>,
    rows: UnsafePointer<Int>, planes: UnsafePointer<Int>, gyOffsets: UnsafePointer<Int>,
    xOffsets: UnsafePointer<Int>, masks: UnsafePointer<UInt16>, steps: Int,
    out: UnsafeMutablePointer<Float>, ld: Int, tapStride: Int, rowCount: Int, channelCount: Int
  ) {
    switch shape {
    case .wide:
      tile4x5(
        x: x, gy: gy, rows: rows, planes: planes, gyOffsets: gyOffsets, xOffsets: xOffsets,
        masks: masks, steps: steps, out: out, ld: ld, tapStride: tapStride, rowCount: rowCount,
        channelCount: channelCount)
    case .narrow:
      tile7x3(
        x: x, gy: gy, rows: rows, planes: planes, gyOffsets: gyOffsets, xOffsets: xOffsets,
        masks: masks, steps: steps, out: out, ld: ld, tapStride: tapStride, rowCount: rowCount,
        channelCount: channelCount)
    case .single:
      tile12x1(
        x: x, gy: gy, rows: rows, planes: planes, gyOffsets: gyOffsets, xOffsets: xOffsets,
        masks: masks, steps: steps, out: out, ld: ld, tapStride: tapStride, rowCount: rowCount,
        channelCount: channelCount)
    }
  }

  /// The 4 × 5 register tile (see `tile`).
  @inline(never)
  static func tile4x5(
    x: UnsafePointer<Float>, gy: UnsafePointer<Float>, rows: UnsafePointer<Int>,
    planes: UnsafePointer<Int>, gyOffsets: UnsafePointer<Int>, xOffsets: UnsafePointer<Int>,
    masks: UnsafePointer<UInt16>, steps: Int, out: UnsafeMutablePointer<Float>, ld: Int,
    tapStride: Int, rowCount: Int, channelCount: Int
  ) {
    var a0_0 = V(), a0_1 = V(), a0_2 = V(), a0_3 = V(), a0_4 = V()
    var a1_0 = V(), a1_1 = V(), a1_2 = V(), a1_3 = V(), a1_4 = V()
    var a2_0 = V(), a2_1 = V(), a2_2 = V(), a2_3 = V(), a2_4 = V()
    var a3_0 = V(), a3_1 = V(), a3_2 = V(), a3_3 = V(), a3_4 = V()
    let g0 = gy + rows[0], g1 = gy + rows[1], g2 = gy + rows[2], g3 = gy + rows[3]
    let x0 = x + planes[0], x1 = x + planes[1], x2 = x + planes[2], x3 = x + planes[3], x4 = x + planes[4]
    for n in 0..<steps {
      let q = gyOffsets[n], o = xOffsets[n], m = masks[n]
      let y0 = UnsafeRawPointer(g0 + q).loadUnaligned(as: V.self)
      let y1 = UnsafeRawPointer(g1 + q).loadUnaligned(as: V.self)
      let y2 = UnsafeRawPointer(g2 + q).loadUnaligned(as: V.self)
      let y3 = UnsafeRawPointer(g3 + q).loadUnaligned(as: V.self)
      let b0 = UnsafeRawPointer(x0 + o).loadUnaligned(as: V.self)
      a0_0 = lethe_cd_fma16(a0_0, y0, b0, m)
      a1_0 = lethe_cd_fma16(a1_0, y1, b0, m)
      a2_0 = lethe_cd_fma16(a2_0, y2, b0, m)
      a3_0 = lethe_cd_fma16(a3_0, y3, b0, m)
      let b1 = UnsafeRawPointer(x1 + o).loadUnaligned(as: V.self)
      a0_1 = lethe_cd_fma16(a0_1, y0, b1, m)
      a1_1 = lethe_cd_fma16(a1_1, y1, b1, m)
      a2_1 = lethe_cd_fma16(a2_1, y2, b1, m)
      a3_1 = lethe_cd_fma16(a3_1, y3, b1, m)
      let b2 = UnsafeRawPointer(x2 + o).loadUnaligned(as: V.self)
      a0_2 = lethe_cd_fma16(a0_2, y0, b2, m)
      a1_2 = lethe_cd_fma16(a1_2, y1, b2, m)
      a2_2 = lethe_cd_fma16(a2_2, y2, b2, m)
      a3_2 = lethe_cd_fma16(a3_2, y3, b2, m)
      let b3 = UnsafeRawPointer(x3 + o).loadUnaligned(as: V.self)
      a0_3 = lethe_cd_fma16(a0_3, y0, b3, m)
      a1_3 = lethe_cd_fma16(a1_3, y1, b3, m)
      a2_3 = lethe_cd_fma16(a2_3, y2, b3, m)
      a3_3 = lethe_cd_fma16(a3_3, y3, b3, m)
      let b4 = UnsafeRawPointer(x4 + o).loadUnaligned(as: V.self)
      a0_4 = lethe_cd_fma16(a0_4, y0, b4, m)
      a1_4 = lethe_cd_fma16(a1_4, y1, b4, m)
      a2_4 = lethe_cd_fma16(a2_4, y2, b4, m)
      a3_4 = lethe_cd_fma16(a3_4, y3, b4, m)
    }
    let s0_0 = lethe_cd_sum4(a0_0, a1_0, a2_0, a3_0)
    let s1_0 = lethe_cd_sum4(a0_1, a1_1, a2_1, a3_1)
    let s2_0 = lethe_cd_sum4(a0_2, a1_2, a2_2, a3_2)
    let s3_0 = lethe_cd_sum4(a0_3, a1_3, a2_3, a3_3)
    let s4_0 = lethe_cd_sum4(a0_4, a1_4, a2_4, a3_4)
    let sums = (s0_0, s1_0, s2_0, s3_0, s4_0)
    withUnsafeBytes(of: sums) { raw in
      let f = raw.assumingMemoryBound(to: Float.self)
      for r in 0..<rowCount {
        for i in 0..<channelCount { out[r * ld + i * tapStride] += f[i * 4 + r] }
      }
    }
  }

  /// The 7 × 3 register tile (see `tile`).
  @inline(never)
  static func tile7x3(
    x: UnsafePointer<Float>, gy: UnsafePointer<Float>, rows: UnsafePointer<Int>,
    planes: UnsafePointer<Int>, gyOffsets: UnsafePointer<Int>, xOffsets: UnsafePointer<Int>,
    masks: UnsafePointer<UInt16>, steps: Int, out: UnsafeMutablePointer<Float>, ld: Int,
    tapStride: Int, rowCount: Int, channelCount: Int
  ) {
    var a0_0 = V(), a0_1 = V(), a0_2 = V()
    var a1_0 = V(), a1_1 = V(), a1_2 = V()
    var a2_0 = V(), a2_1 = V(), a2_2 = V()
    var a3_0 = V(), a3_1 = V(), a3_2 = V()
    var a4_0 = V(), a4_1 = V(), a4_2 = V()
    var a5_0 = V(), a5_1 = V(), a5_2 = V()
    var a6_0 = V(), a6_1 = V(), a6_2 = V()
    let g0 = gy + rows[0], g1 = gy + rows[1], g2 = gy + rows[2], g3 = gy + rows[3]
    let g4 = gy + rows[4], g5 = gy + rows[5], g6 = gy + rows[6]
    let x0 = x + planes[0], x1 = x + planes[1], x2 = x + planes[2]
    for n in 0..<steps {
      let q = gyOffsets[n], o = xOffsets[n], m = masks[n]
      let y0 = UnsafeRawPointer(g0 + q).loadUnaligned(as: V.self)
      let y1 = UnsafeRawPointer(g1 + q).loadUnaligned(as: V.self)
      let y2 = UnsafeRawPointer(g2 + q).loadUnaligned(as: V.self)
      let y3 = UnsafeRawPointer(g3 + q).loadUnaligned(as: V.self)
      let y4 = UnsafeRawPointer(g4 + q).loadUnaligned(as: V.self)
      let y5 = UnsafeRawPointer(g5 + q).loadUnaligned(as: V.self)
      let y6 = UnsafeRawPointer(g6 + q).loadUnaligned(as: V.self)
      let b0 = UnsafeRawPointer(x0 + o).loadUnaligned(as: V.self)
      a0_0 = lethe_cd_fma16(a0_0, y0, b0, m)
      a1_0 = lethe_cd_fma16(a1_0, y1, b0, m)
      a2_0 = lethe_cd_fma16(a2_0, y2, b0, m)
      a3_0 = lethe_cd_fma16(a3_0, y3, b0, m)
      a4_0 = lethe_cd_fma16(a4_0, y4, b0, m)
      a5_0 = lethe_cd_fma16(a5_0, y5, b0, m)
      a6_0 = lethe_cd_fma16(a6_0, y6, b0, m)
      let b1 = UnsafeRawPointer(x1 + o).loadUnaligned(as: V.self)
      a0_1 = lethe_cd_fma16(a0_1, y0, b1, m)
      a1_1 = lethe_cd_fma16(a1_1, y1, b1, m)
      a2_1 = lethe_cd_fma16(a2_1, y2, b1, m)
      a3_1 = lethe_cd_fma16(a3_1, y3, b1, m)
      a4_1 = lethe_cd_fma16(a4_1, y4, b1, m)
      a5_1 = lethe_cd_fma16(a5_1, y5, b1, m)
      a6_1 = lethe_cd_fma16(a6_1, y6, b1, m)
      let b2 = UnsafeRawPointer(x2 + o).loadUnaligned(as: V.self)
      a0_2 = lethe_cd_fma16(a0_2, y0, b2, m)
      a1_2 = lethe_cd_fma16(a1_2, y1, b2, m)
      a2_2 = lethe_cd_fma16(a2_2, y2, b2, m)
      a3_2 = lethe_cd_fma16(a3_2, y3, b2, m)
      a4_2 = lethe_cd_fma16(a4_2, y4, b2, m)
      a5_2 = lethe_cd_fma16(a5_2, y5, b2, m)
      a6_2 = lethe_cd_fma16(a6_2, y6, b2, m)
    }
    let s0_0 = lethe_cd_sum4(a0_0, a1_0, a2_0, a3_0)
    let s0_4 = lethe_cd_sum4(a4_0, a5_0, a6_0, V())
    let s1_0 = lethe_cd_sum4(a0_1, a1_1, a2_1, a3_1)
    let s1_4 = lethe_cd_sum4(a4_1, a5_1, a6_1, V())
    let s2_0 = lethe_cd_sum4(a0_2, a1_2, a2_2, a3_2)
    let s2_4 = lethe_cd_sum4(a4_2, a5_2, a6_2, V())
    let sums = (s0_0, s0_4, s1_0, s1_4, s2_0, s2_4)
    withUnsafeBytes(of: sums) { raw in
      let f = raw.assumingMemoryBound(to: Float.self)
      for r in 0..<rowCount {
        for i in 0..<channelCount { out[r * ld + i * tapStride] += f[i * 8 + r] }
      }
    }
  }

  /// The 12 × 1 register tile (see `tile`).
  @inline(never)
  static func tile12x1(
    x: UnsafePointer<Float>, gy: UnsafePointer<Float>, rows: UnsafePointer<Int>,
    planes: UnsafePointer<Int>, gyOffsets: UnsafePointer<Int>, xOffsets: UnsafePointer<Int>,
    masks: UnsafePointer<UInt16>, steps: Int, out: UnsafeMutablePointer<Float>, ld: Int,
    tapStride: Int, rowCount: Int, channelCount: Int
  ) {
    var a0_0 = V()
    var a1_0 = V()
    var a2_0 = V()
    var a3_0 = V()
    var a4_0 = V()
    var a5_0 = V()
    var a6_0 = V()
    var a7_0 = V()
    var a8_0 = V()
    var a9_0 = V()
    var a10_0 = V()
    var a11_0 = V()
    let g0 = gy + rows[0], g1 = gy + rows[1], g2 = gy + rows[2], g3 = gy + rows[3]
    let g4 = gy + rows[4], g5 = gy + rows[5], g6 = gy + rows[6], g7 = gy + rows[7]
    let g8 = gy + rows[8], g9 = gy + rows[9], g10 = gy + rows[10], g11 = gy + rows[11]
    let x0 = x + planes[0]
    for n in 0..<steps {
      let q = gyOffsets[n], o = xOffsets[n], m = masks[n]
      let y0 = UnsafeRawPointer(g0 + q).loadUnaligned(as: V.self)
      let y1 = UnsafeRawPointer(g1 + q).loadUnaligned(as: V.self)
      let y2 = UnsafeRawPointer(g2 + q).loadUnaligned(as: V.self)
      let y3 = UnsafeRawPointer(g3 + q).loadUnaligned(as: V.self)
      let y4 = UnsafeRawPointer(g4 + q).loadUnaligned(as: V.self)
      let y5 = UnsafeRawPointer(g5 + q).loadUnaligned(as: V.self)
      let y6 = UnsafeRawPointer(g6 + q).loadUnaligned(as: V.self)
      let y7 = UnsafeRawPointer(g7 + q).loadUnaligned(as: V.self)
      let y8 = UnsafeRawPointer(g8 + q).loadUnaligned(as: V.self)
      let y9 = UnsafeRawPointer(g9 + q).loadUnaligned(as: V.self)
      let y10 = UnsafeRawPointer(g10 + q).loadUnaligned(as: V.self)
      let y11 = UnsafeRawPointer(g11 + q).loadUnaligned(as: V.self)
      let b0 = UnsafeRawPointer(x0 + o).loadUnaligned(as: V.self)
      a0_0 = lethe_cd_fma16(a0_0, y0, b0, m)
      a1_0 = lethe_cd_fma16(a1_0, y1, b0, m)
      a2_0 = lethe_cd_fma16(a2_0, y2, b0, m)
      a3_0 = lethe_cd_fma16(a3_0, y3, b0, m)
      a4_0 = lethe_cd_fma16(a4_0, y4, b0, m)
      a5_0 = lethe_cd_fma16(a5_0, y5, b0, m)
      a6_0 = lethe_cd_fma16(a6_0, y6, b0, m)
      a7_0 = lethe_cd_fma16(a7_0, y7, b0, m)
      a8_0 = lethe_cd_fma16(a8_0, y8, b0, m)
      a9_0 = lethe_cd_fma16(a9_0, y9, b0, m)
      a10_0 = lethe_cd_fma16(a10_0, y10, b0, m)
      a11_0 = lethe_cd_fma16(a11_0, y11, b0, m)
    }
    let s0_0 = lethe_cd_sum4(a0_0, a1_0, a2_0, a3_0)
    let s0_4 = lethe_cd_sum4(a4_0, a5_0, a6_0, a7_0)
    let s0_8 = lethe_cd_sum4(a8_0, a9_0, a10_0, a11_0)
    let sums = (s0_0, s0_4, s0_8)
    withUnsafeBytes(of: sums) { raw in
      let f = raw.assumingMemoryBound(to: Float.self)
      for r in 0..<rowCount {
        for i in 0..<channelCount { out[r * ld + i * tapStride] += f[i * 12 + r] }
      }
    }
  }
}
