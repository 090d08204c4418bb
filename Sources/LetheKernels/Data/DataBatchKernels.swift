/// Loops that turn compactly stored samples into Float batches, plus image layout conversions.
/// Samples are planar (channel, row, column); the affine map is value·a[c] + b[c], which folds the
/// byte scale and the per-channel normalisation into one multiply-add.
public enum DataBatchKernel {
  /// dst[c·plane + i] = src[c·plane + i]·a[c] + b[c].
  public static func affine(
    src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<Float>,
    channels: Int, plane: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>
  ) {
    for c in 0..<channels {
      let s = src + c * plane, d = dst + c * plane
      let ac = a[c], bc = b[c]
      for i in 0..<plane { d[i] = Float(s[i]) * ac + bc }
    }
  }

  /// The same map for samples stored as Floats.
  public static func affine(
    src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>,
    channels: Int, plane: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>
  ) {
    for c in 0..<channels {
      let s = src + c * plane, d = dst + c * plane
      let ac = a[c], bc = b[c]
      for i in 0..<plane { d[i] = s[i] * ac + bc }
    }
  }

  /// Shifted (and optionally mirrored) copy: out(y, x) = in(y + dy, x' + dx) with x' = W−1−x when
  /// flipping, else x; pixels from outside the image are zero before the affine map (so b[c]).
  /// This is a random crop of the zero-padded image followed by a horizontal flip.
  public static func affineShiftFlip(
    src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<Float>,
    channels: Int, height: Int, width: Int, dy: Int, dx: Int,
    flip: Bool, a: UnsafePointer<Float>, b: UnsafePointer<Float>
  ) {
    let plane = height * width
    for c in 0..<channels {
      let s = src + c * plane, d = dst + c * plane
      let ac = a[c], bc = b[c]
      for y in 0..<height {
        let sy = y + dy
        let row = d + y * width
        if sy < 0 || sy >= height {
          for x in 0..<width { row[x] = bc }
          continue
        }
        let srow = s + sy * width
        for x in 0..<width {
          let sx = (flip ? width - 1 - x : x) + dx
          row[x] = (sx >= 0 && sx < width) ? Float(srow[sx]) * ac + bc : bc
        }
      }
    }
  }

  /// Per-channel sums of values and of squares over `count` planar byte samples.
  public static func channelSums(
    src: UnsafePointer<UInt8>, count: Int, channels: Int, plane: Int,
    sums: UnsafeMutablePointer<Double>, squares: UnsafeMutablePointer<Double>
  ) {
    for c in 0..<channels {
      var s: UInt64 = 0, q: UInt64 = 0
      for n in 0..<count {
        let p = src + (n * channels + c) * plane
        var ls: UInt32 = 0, lq: UInt32 = 0
        for i in 0..<plane {
          let v = UInt32(p[i])
          ls &+= v
          lq &+= v * v
        }
        s &+= UInt64(ls)
        q &+= UInt64(lq)
      }
      sums[c] = Double(s)
      squares[c] = Double(q)
    }
  }

  /// Interleaved (row, column, channel) pixels → planar (channel, row, column).
  public static func interleavedToPlanar(
    src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>,
    channels: Int, plane: Int
  ) {
    for i in 0..<plane {
      for c in 0..<channels { dst[c * plane + i] = src[i * channels + c] }
    }
  }

  /// Bilinear resize of one planar channel (pixel centres aligned, as PIL and OpenCV do).
  public static func resizeBilinear(
    src: UnsafePointer<UInt8>, srcHeight: Int, srcWidth: Int,
    dst: UnsafeMutablePointer<UInt8>, height: Int, width: Int
  ) {
    let sy = Float(srcHeight) / Float(height), sx = Float(srcWidth) / Float(width)
    for y in 0..<height {
      let fy = max(0, (Float(y) + 0.5) * sy - 0.5)
      let y0 = min(Int(fy), srcHeight - 1), y1 = min(y0 + 1, srcHeight - 1)
      let wy = fy - Float(y0)
      for x in 0..<width {
        let fx = max(0, (Float(x) + 0.5) * sx - 0.5)
        let x0 = min(Int(fx), srcWidth - 1), x1 = min(x0 + 1, srcWidth - 1)
        let wx = fx - Float(x0)
        let top = Float(src[y0 * srcWidth + x0]) * (1 - wx) + Float(src[y0 * srcWidth + x1]) * wx
        let bottom = Float(src[y1 * srcWidth + x0]) * (1 - wx) + Float(src[y1 * srcWidth + x1]) * wx
        let v = top * (1 - wy) + bottom * wy
        dst[y * width + x] = UInt8(min(255, max(0, v + 0.5)))
      }
    }
  }
}

extension DataBatchKernel {
  /// Transposes `planes` consecutive column-major `rows × cols` byte planes (MATLAB's layout)
  /// into row-major planes.
  public static func columnToRowMajor(
    src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>,
    planes: Int, rows: Int, cols: Int
  ) {
    let plane = rows * cols
    for p in 0..<planes {
      let s = src + p * plane, d = dst + p * plane
      for c in 0..<cols {
        for r in 0..<rows { d[r * cols + c] = s[c * rows + r] }
      }
    }
  }
}
