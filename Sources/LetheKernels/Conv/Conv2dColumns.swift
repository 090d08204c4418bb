/// im2col and its adjoint col2im: a convolution's patches as the columns of a matrix.
extension Conv2dKernels {
  /// Writes the patches of `samples` consecutive samples side by side as columns:
  /// col[(c·kh + i)·kw + j, sample·P + position] (row stride `ld`), for channels `channels`.
  /// Rows are the outer loop so that writes stream through `col` (with many samples of small
  /// images, a sample-major order touches a new page on every short row).
  @inline(never)
  public static func im2col(
    _ g: Conv2dShape, x: UnsafePointer<Float>, samples: Int, channels: Range<Int>,
    col: UnsafeMutablePointer<Float>, ld: Int
  ) {
    let oh = g.outH
    let ow = g.outW
    let p = oh * ow
    let s = g.stride
    let pad = g.padding
    let plane = g.height * g.width
    let sampleIn = g.inChannels * plane
    if ow < 16 {
      im2colSmall(g, x: x, samples: samples, channels: channels, col: col, ld: ld)
      return
    }
    for c in channels {
      for ki in 0..<g.kernelH {
        for kj in 0..<g.kernelW {
          let row = col + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
          // Output columns whose input column lies inside the image: [lo, hi).
          let lo = min(ow, max(0, (pad - kj + s - 1) / s))
          let hi = max(lo, min(ow, (g.width + pad - kj + s - 1) / s))
          for sm in 0..<samples {
            let src0 = x + sm * sampleIn + c * plane
            let out = row + sm * p
            for r in 0..<oh {
              let dst = out + r * ow
              let ih = r * s - pad + ki
              if ih < 0 || ih >= g.height {
                VectorMath.zero(dst, ow)
                continue
              }
              let src = src0 + ih * g.width - pad + kj
              for q in 0..<lo { dst[q] = 0 }
              if s == 1 {
                if hi > lo { copyRow(src + lo, dst + lo, hi - lo) }
              } else {
                for q in lo..<hi { dst[q] = src[q * s] }
              }
              for q in hi..<ow { dst[q] = 0 }
            }
          }
        }
      }
    }
  }

  /// dst[0..<n] = src[0..<n] for im2col's short rows: whole 16- and 8-lane vectors, so that a
  /// 24-float row takes two stores (the compiler's loop does 32 at a time, then 4 at a time).
  @inline(__always)
  static func copyRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(dst)
    var i = 0
    while i + 16 <= n {
      d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self),
        toByteOffset: 4 * i, as: SIMD16<Float>.self)
      i += 16
    }
    if i + 8 <= n {
      d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self),
        toByteOffset: 4 * i, as: SIMD8<Float>.self)
      i += 8
    }
    if i + 4 <= n {
      d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self),
        toByteOffset: 4 * i, as: SIMD4<Float>.self)
      i += 4
    }
    while i < n {
      dst[i] = src[i]
      i += 1
    }
  }

  /// dst[0..<n] += src[0..<n] for col2im's short rows, in 16- and 8-lane vectors.
  @inline(__always)
  static func addRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(dst)
    var i = 0
    while i + 16 <= n {
      let v = s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        + d.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
      d.storeBytes(of: v, toByteOffset: 4 * i, as: SIMD16<Float>.self)
      i += 16
    }
    if i + 8 <= n {
      let v = s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
        + d.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
      d.storeBytes(of: v, toByteOffset: 4 * i, as: SIMD8<Float>.self)
      i += 8
    }
    while i < n {
      dst[i] += src[i]
      i += 1
    }
  }

  /// im2col for small outputs (rows shorter than a vector): one gather per kernel tap over the
  /// whole output plane through a table of input offsets (−1 where the tap hits padding).
  static func im2colSmall(
    _ g: Conv2dShape, x: UnsafePointer<Float>, samples: Int, channels: Range<Int>,
    col: UnsafeMutablePointer<Float>, ld: Int
  ) {
    let p = g.outH * g.outW
    let taps = g.kernelH * g.kernelW
    let plane = g.height * g.width
    let sampleIn = g.inChannels * plane
    withTapTable(g) { t in
      for c in channels {
        for tap in 0..<taps {
          let row = col + (c * taps + tap) * ld
          let offs = t + tap * p
          for sm in 0..<samples {
            let src = x + sm * sampleIn + c * plane
            let dst = row + sm * p
            for i in 0..<p {
              let o = offs[i]
              let v = src[Int(Swift.max(o, 0))]
              dst[i] = o >= 0 ? v : 0
            }
          }
        }
      }
    }
  }

  /// Calls `body` with, per kernel tap and output position, the input offset inside a plane
  /// (−1 where the tap falls on padding).
  static func withTapTable<R>(_ g: Conv2dShape, _ body: (UnsafePointer<Int32>) -> R) -> R {
    let (oh, ow, s, pad) = (g.outH, g.outW, g.stride, g.padding)
    let p = oh * ow
    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: g.kernelH * g.kernelW * p) {
      let t = $0.baseAddress!
      for ki in 0..<g.kernelH {
        for kj in 0..<g.kernelW {
          for r in 0..<oh {
            for q in 0..<ow {
              let ih = r * s - pad + ki
              let iw = q * s - pad + kj
              let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
              t[(ki * g.kernelW + kj) * p + r * ow + q] = inside ? Int32(ih * g.width + iw) : -1
            }
          }
        }
      }
      return body(t)
    }
  }

  /// col2im for small outputs: scatter-adds through the tap table.
  static func col2imSmall(
    _ g: Conv2dShape, col: UnsafePointer<Float>, ld: Int, samples: Int, channels: Range<Int>,
    x: UnsafeMutablePointer<Float>
  ) {
    let p = g.outH * g.outW
    let taps = g.kernelH * g.kernelW
    let plane = g.height * g.width
    let sampleIn = g.inChannels * plane
    withTapTable(g) { t in
      for c in channels {
        for tap in 0..<taps {
          let row = col + (c * taps + tap) * ld
          let offs = t + tap * p
          for sm in 0..<samples {
            let dst = x + sm * sampleIn + c * plane
            let src = row + sm * p
            for i in 0..<p where offs[i] >= 0 { dst[Int(offs[i])] += src[i] }
          }
        }
      }
    }
  }

  /// Adds column gradients back onto the input gradients of `samples` consecutive samples
  /// (im2col's adjoint), for channels `channels`.
  @inline(never)
  public static func col2im(
    _ g: Conv2dShape, col: UnsafePointer<Float>, ld: Int, samples: Int, channels: Range<Int>,
    x: UnsafeMutablePointer<Float>
  ) {
    let oh = g.outH
    let ow = g.outW
    let p = oh * ow
    let s = g.stride
    let pad = g.padding
    let plane = g.height * g.width
    let sampleIn = g.inChannels * plane
    if ow < 16 {
      col2imSmall(g, col: col, ld: ld, samples: samples, channels: channels, x: x)
      return
    }
    for c in channels {
      for ki in 0..<g.kernelH {
        for kj in 0..<g.kernelW {
          let row = col + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
          let lo = min(ow, max(0, (pad - kj + s - 1) / s))
          let hi = max(lo, min(ow, (g.width + pad - kj + s - 1) / s))
          if hi <= lo { continue }
          for sm in 0..<samples {
            let dst0 = x + sm * sampleIn + c * plane
            let src0 = row + sm * p
            for r in 0..<oh {
              let ih = r * s - pad + ki
              if ih < 0 || ih >= g.height { continue }
              let src = src0 + r * ow
              let dst = dst0 + ih * g.width - pad + kj
              if s == 1 {
                addRow(src + lo, dst + lo, hi - lo)
              } else {
                for q in lo..<hi { dst[q * s] += src[q] }
              }
            }
          }
        }
      }
    }
  }
}
