import CLetheKernels

/// Max and average pooling over planes of an NCHW tensor (`planes` = N·C).
public enum Pool {
  /// Max pooling; `index` receives, per output, the argmax's offset inside its input plane
  /// (padding never wins: windows are clipped to the image).
  @inline(never)
  public static func maxForward(
    _ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int, kernel: Int, stride: Int,
    padding: Int, outH: Int, outW: Int, _ y: UnsafeMutablePointer<Float>,
    index: UnsafeMutablePointer<Int32>, rowStride: Int? = nil
  ) {
    // x's rows may be longer than `width` (a widened convolution output): row r of plane pl
    // starts at (pl·height + r)·rs; the indices stay those of a dense height × width plane.
    let rs = rowStride ?? width
    if kernel == 2 && stride == 2 && padding == 0 {
      max2x2(
        x, planes: planes, height: height, width: width, rowStride: rs, outH: outH, outW: outW, y,
        index: index)
      return
    }
    Parallel.forEachIndex(planes, work: outH * outW * kernel * kernel) { pl in
      let src = x + pl * height * rs
      let dst = y + pl * outH * outW
      let idx = index + pl * outH * outW
      for r in 0..<outH {
        let h0 = max(0, r * stride - padding)
        let h1 = min(height, r * stride - padding + kernel)
        for q in 0..<outW {
          let w0 = max(0, q * stride - padding)
          let w1 = min(width, q * stride - padding + kernel)
          var best = -Float.infinity
          var bi = h0 * width + w0
          for h in h0..<h1 {
            for w in w0..<w1 {
              let v = src[h * rs + w]
              if v > best || v.isNaN {
                best = v
                bi = h * width + w
              }
            }
          }
          dst[r * outW + q] = best
          idx[r * outW + q] = Int32(bi)
        }
      }
    }
  }

  /// Max pooling's gradient: each output gradient goes to its argmax (gradX is overwritten).
  @inline(never)
  public static func maxBackward(
    _ gy: UnsafePointer<Float>, index: UnsafePointer<Int32>, planes: Int, height: Int, width: Int,
    outH: Int, outW: Int, _ gx: UnsafeMutablePointer<Float>
  ) {
    let per = outH * outW
    // Planes on both cores; each plane zeroes and scatters into its own part of gx.
    Parallel.forEachIndex(planes, work: height * width + per) { pl in
      let g = gy + pl * per
      let idx = index + pl * per
      let dst = gx + pl * height * width
      dst.update(repeating: 0, count: height * width)
      for i in 0..<per { dst[Int(idx[i])] += g[i] }
    }
  }

  /// Average pooling with zero padding counted in the divisor (PyTorch's default,
  /// count_include_pad = true): every window divides by kernel².
  @inline(never)
  public static func avgForward(
    _ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int, kernel: Int, stride: Int,
    padding: Int, outH: Int, outW: Int, _ y: UnsafeMutablePointer<Float>
  ) {
    let inv = 1 / Float(kernel * kernel)
    Parallel.forEachIndex(planes, work: outH * outW * kernel * kernel) { pl in
      let src = x + pl * height * width
      let dst = y + pl * outH * outW
      for r in 0..<outH {
        let h0 = max(0, r * stride - padding)
        let h1 = min(height, r * stride - padding + kernel)
        for q in 0..<outW {
          let w0 = max(0, q * stride - padding)
          let w1 = min(width, q * stride - padding + kernel)
          var s: Float = 0
          for h in h0..<h1 {
            for w in w0..<w1 { s += src[h * width + w] }
          }
          dst[r * outW + q] = s * inv
        }
      }
    }
  }

  /// Average pooling's gradient (gradX is overwritten).
  @inline(never)
  public static func avgBackward(
    _ gy: UnsafePointer<Float>, planes: Int, height: Int, width: Int, kernel: Int, stride: Int,
    padding: Int, outH: Int, outW: Int, _ gx: UnsafeMutablePointer<Float>
  ) {
    let inv = 1 / Float(kernel * kernel)
    Parallel.forEachIndex(planes, work: outH * outW * kernel * kernel) { pl in
      let g = gy + pl * outH * outW
      let dst = gx + pl * height * width
      dst.update(repeating: 0, count: height * width)
      for r in 0..<outH {
        let h0 = max(0, r * stride - padding)
        let h1 = min(height, r * stride - padding + kernel)
        for q in 0..<outW {
          let w0 = max(0, q * stride - padding)
          let w1 = min(width, q * stride - padding + kernel)
          let v = g[r * outW + q] * inv
          for h in h0..<h1 {
            for w in w0..<w1 { dst[h * width + w] += v }
          }
        }
      }
    }
  }

  /// The common 2×2, stride-2, unpadded case, a row at a time by `lethe_max2x2_row` (16
  /// outputs per step on AVX-512, a scalar loop with the same rule elsewhere).
  static func max2x2(
    _ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int, rowStride: Int, outH: Int,
    outW: Int, _ y: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>
  ) {
    Parallel.forEachIndex(planes, work: outH * outW * 4) { pl in
      let src = x + pl * height * rowStride
      let dst = y + pl * outH * outW
      let idx = index + pl * outH * outW
      for r in 0..<outH {
        let r0 = src + 2 * r * rowStride
        lethe_max2x2_row(
          r0, r0 + rowStride, Int32(outW), Int32(2 * r * width), Int32(width), dst + r * outW,
          idx + r * outW)
      }
    }
  }
}
