import CLetheKernels

/// The weight gradient of a convolution straight from the image and the output gradient,
/// without im2col columns or GEMM packing: a GEMM over an implicit im2col,
///
///   gWᵀ[j, o] += Σ_n X[n, j] · GY[n, o],   j = (c·kh + ki)·kw + kj,   n = (sample, position),
///
/// with the output channels in the vectors. A block of samples is staged twice: x with its
/// zero padding written out (rows of W + 2·pad, one plane per channel and sample, channel-major),
/// so X[n, j] = xs[xOffsets[n] + taps[j]] with no masks or bounds; gy transposed into blocks
/// of 64 output channels, one row of 64 per position, so the register tile's four gy vectors are
/// one 256-byte run. The 4 × 6 tile holds 64 output channels × 6 patch entries (taps) in 24
/// accumulators: per position 4 vector loads, 6 scalar x values broadcast and 24 FMAs. The
/// accumulators add into gWᵀ (patch × output channels, a vector per row), which is transposed
/// into gradW at the end; nothing is summed across lanes. Any stride works (xOffsets steps over
/// the input by it). `Conv2dKernels.directWeightGradient` shares a batch between threads: by
/// samples (each its own gWᵀ), or on small planes by input channels (`splitByChannels`).
public enum ConvWeightGradientDirect {
  typealias V = SIMD16<Float>

  /// Patch entries (taps) per register tile.
  static let tileTaps = 6
  /// Output channels per staged gy block and register tile (4 vectors).
  static let channelBlock = 64
  /// Bytes of staged x and gy a block of samples aims for (L2-sized)...
  static let blockBytes = 1 << 20
  /// ... and never more than this.
  static let maxBlockBytes = 16 << 20
  /// ... unless that is fewer positions than this: each tile pass adds its 24 accumulators into
  /// gWᵀ, which on small planes with long patches (8×8, 4×4) lives in L3 or memory.
  static let minBlockPositions = 1024
  /// Planes of at most this many output positions are shared between threads by channel.
  static let channelSplitPositions = 64

  /// Whether threads should share a call's work by input channels (every sample each) rather
  /// than by samples (each its own gradW, summed after).
  static func splitByChannels(_ g: Conv2dShape) -> Bool {
    g.outH * g.outW <= channelSplitPositions
  }

  /// Whether `accumulate` handles `g`: any stride and padding, a non-empty output, sizes that fit.
  public static func suits(_ g: Conv2dShape) -> Bool {
    g.stride >= 1 && g.padding >= 0 && g.kernelH > 0 && g.kernelW > 0 && g.inChannels > 0
      && g.outChannels > 0 && g.height > 0 && g.width > 0 && g.outH > 0 && g.outW > 0
      && g.inChannels * (g.height + 2 * g.padding) * (g.width + 2 * g.padding) < 1 << 28
      && (g.outChannels + channelBlock) * g.outH * g.outW < 1 << 28
      && g.inChannels * g.kernelH * g.kernelW * (g.outChannels + channelBlock) < 1 << 28
  }

  /// gradW[O, K] += Σ gy ⊗ patches and gradB[O] += Σ gy over `samples` samples, on the calling
  /// thread; only the patch columns of input channels `channels` (all by default), so that
  /// threads can share one gradW by channels. `x` is the chunk's first sample (NCHW, sample
  /// stride C·H·W); the output gradient is gy(s, o, q) = gy[s·sampleStride + o·rowStride + q]
  /// with q = oh·OW + ow, so both the dense layout [S, O, P] (sampleStride O·P, rowStride P) and
  /// a gathered [O, S·P] (sampleStride P, rowStride S·P) work. Reads only x[0..<samples·C·H·W]
  /// and the gy rows named. Requires `suits(g)`.
  public static func accumulate(
    _ g: Conv2dShape, x: UnsafePointer<Float>, samples: Int, gy: UnsafePointer<Float>,
    sampleStride: Int, rowStride: Int, gradW: UnsafeMutablePointer<Float>,
    gradB: UnsafeMutablePointer<Float>?, channels: Range<Int>? = nil
  ) {
    precondition(suits(g), "ConvWeightGradientDirect: unsupported geometry \(g)")
    let channels = channels ?? 0..<g.inChannels
    precondition(
      channels.lowerBound >= 0 && channels.upperBound <= g.inChannels,
      "ConvWeightGradientDirect: channels \(channels) outside 0..<\(g.inChannels)")
    precondition(sampleStride >= 0 && rowStride >= 0, "ConvWeightGradientDirect: negative stride")
    guard samples > 0 else { return }
    if let gradB {
      for oc in 0..<g.outChannels {
        var total: Float = 0
        for s in 0..<samples {
          total += VectorMath.sum(gy + s * sampleStride + oc * rowStride, g.positions)
        }
        gradB[oc] += total
      }
    }
    guard !channels.isEmpty else { return }
    let plan = Plan(g, samples: samples, channels: channels)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: plan.blockPositions + plan.tapSlots) {
      ints in
      let xOffsets = ints.baseAddress!, taps = xOffsets + plan.blockPositions
      plan.fillOffsets(g, xOffsets: xOffsets, taps: taps)
      Scratch.withBuffer(plan.stagingFloats + 15) { raw in
        // 64-byte aligned: a position's 64 staged gy values are four whole cache lines.
        let xs = raw + (16 - (Int(bitPattern: raw) >> 2) & 15) & 15
        let gys = xs + plan.xFloats, acc = gys + plan.gyFloats
        // x's padding and gy's unused channel lanes are zeros that staging does not overwrite
        // (gWᵀ needs none: the first block's tiles store their sums).
        xs.update(repeating: 0, count: plan.xFloats)
        if plan.paddedOut != g.outChannels { gys.update(repeating: 0, count: plan.gyFloats) }
        var s0 = 0
        while s0 < samples {
          let count = min(plan.block, samples - s0)
          plan.stage(
            g, x: x + (s0 * g.inChannels + channels.lowerBound) * g.height * g.width,
            gy: gy + s0 * sampleStride, samples: count, sampleStride: sampleStride,
            rowStride: rowStride, xs: xs, gys: gys)
          plan.tiles(
            xs: xs, gys: gys, xOffsets: xOffsets, taps: taps, positions: count * plan.positions,
            acc: acc, first: s0 == 0)
          s0 += count
        }
        let firstColumn = channels.lowerBound * g.kernelH * g.kernelW
        plan.addTransposed(acc, into: gradW + firstColumn, ld: g.patch)
      }
    }
  }

  /// Where a block of samples is staged and how the tiles step through it.
  struct Plan {
    /// Padded input rows and their length: H + 2·pad, W + 2·pad.
    let paddedH: Int, paddedW: Int
    /// Output positions per sample, patch length (of the channels done), output channels.
    let positions: Int, patch: Int, outChannels: Int
    /// Input channels done.
    let channelCount: Int
    /// Output channels rounded up to `channelBlock`: the row length of gWᵀ.
    let paddedOut: Int
    /// Samples per staged block and their positions.
    let block: Int, blockPositions: Int
    /// Floats between channels' staged x planes (a block's planes plus a cache-line skew).
    let xChannel: Int
    /// Floats of staged x, of staged gy, of gWᵀ.
    let xFloats: Int, gyFloats: Int, accFloats: Int
    /// Patch entries rounded up to whole tiles.
    let tapSlots: Int
    /// The convolution's stride and output row length.
    let convStride: Int, outW: Int

    init(_ g: Conv2dShape, samples: Int, channels: Range<Int>) {
      channelCount = channels.count
      paddedH = g.height + 2 * g.padding
      paddedW = g.width + 2 * g.padding
      positions = g.outH * g.outW
      patch = channelCount * g.kernelH * g.kernelW
      outChannels = g.outChannels
      paddedOut = (g.outChannels + channelBlock - 1) / channelBlock * channelBlock
      convStride = g.stride
      outW = g.outW
      let plane = paddedH * paddedW
      let perSample = 4 * (channelCount * plane + paddedOut * positions)
      let wanted = max(blockBytes / perSample, (minBlockPositions + positions - 1) / positions)
      block = max(1, min(samples, wanted, maxBlockBytes / perSample))
      blockPositions = block * positions
      xChannel = block * plane + 16
      xFloats = (channelCount * xChannel + 15) / 16 * 16
      gyFloats = paddedOut * blockPositions
      accFloats = patch * paddedOut
      tapSlots = (patch + tileTaps - 1) / tileTaps * tileTaps
    }

    var stagingFloats: Int { xFloats + gyFloats + accFloats }

    /// xOffsets[n]: where position n of the block reads its patch's (0, 0, 0) entry;
    /// taps[j]: the offset of patch entry j from there (slots past the patch repeat its last).
    func fillOffsets(
      _ g: Conv2dShape, xOffsets: UnsafeMutablePointer<Int>, taps: UnsafeMutablePointer<Int>
    ) {
      let plane = paddedH * paddedW
      for n in 0..<blockPositions {
        let (s, q) = n.quotientAndRemainder(dividingBy: positions)
        let (oh, ow) = q.quotientAndRemainder(dividingBy: outW)
        xOffsets[n] = s * plane + oh * convStride * paddedW + ow * convStride
      }
      for j in 0..<tapSlots {
        let e = min(j, patch - 1)
        let (c, t) = e.quotientAndRemainder(dividingBy: g.kernelH * g.kernelW)
        let (ki, kj) = t.quotientAndRemainder(dividingBy: g.kernelW)
        taps[j] = c * xChannel + ki * paddedW + kj
      }
    }

    /// Copies `samples` ≤ block samples in (x from the first channel done): x plane (c, s) at
    /// c·xChannel + s·plane, its interior from row and column `pad`; gy's (s, o, q) at
    /// (o / 64)·64·blockPositions + (s·P + q)·64 + o % 64.
    func stage(
      _ g: Conv2dShape, x: UnsafePointer<Float>, gy: UnsafePointer<Float>, samples: Int,
      sampleStride: Int, rowStride: Int, xs: UnsafeMutablePointer<Float>,
      gys: UnsafeMutablePointer<Float>
    ) {
      let plane = paddedH * paddedW, inPlane = g.height * g.width
      let interior = g.padding * paddedW + g.padding
      for c in 0..<channelCount {
        for s in 0..<samples {
          let src = x + (s * g.inChannels + c) * inPlane
          let dst = xs + c * xChannel + s * plane + interior
          for r in 0..<g.height { copyRow(src + r * g.width, into: dst + r * paddedW, g.width) }
        }
      }
      let blockStride = channelBlock * blockPositions
      for s in 0..<samples {
        for o0 in Swift.stride(from: 0, to: outChannels, by: 16) {
          for q0 in Swift.stride(from: 0, to: positions, by: 16) {
            let src = gy + s * sampleStride + o0 * rowStride + q0
            let dst = gys + o0 / channelBlock * blockStride + (s * positions + q0) * channelBlock
              + o0 % channelBlock
            transpose16(
              src, ld: rowStride, rows: min(16, outChannels - o0), cols: min(16, positions - q0),
              into: dst, ldDst: channelBlock)
          }
        }
      }
    }

    /// dst[0..<n] = src[0..<n] in vectors (the last one overlapping), for short rows where a
    /// memmove call would cost more than the copy.
    @inline(__always)
    private func copyRow(
      _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ n: Int
    ) {
      if n >= 16 {
        copyVectors(src, dst, n, as: V.self)
      } else if n >= 4 {
        copyVectors(src, dst, n, as: SIMD4<Float>.self)
      } else {
        for i in 0..<n { dst[i] = src[i] }
      }
    }

    /// dst[0..<n] = src[0..<n] for n ≥ one vector of `T`.
    @inline(__always)
    private func copyVectors<T: SIMD>(
      _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, as: T.Type
    ) where T.Scalar == Float {
      let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst), w = T.scalarCount
      var i = 0
      while i < n - w {
        let v = from.loadUnaligned(fromByteOffset: 4 * i, as: T.self)
        to.storeBytes(of: v, toByteOffset: 4 * i, as: T.self)
        i += w
      }
      let last = 4 * (n - w)
      to.storeBytes(of: from.loadUnaligned(fromByteOffset: last, as: T.self), toByteOffset: last, as: T.self)
    }

    /// Every tile over `positions` staged positions: output-channel blocks, then tiles of
    /// patch entries (the x they read stays in L1 across a block's taps; gy streams from L2).
    func tiles(
      xs: UnsafePointer<Float>, gys: UnsafePointer<Float>, xOffsets: UnsafePointer<Int>,
      taps: UnsafePointer<Int>, positions count: Int, acc: UnsafeMutablePointer<Float>,
      first: Bool
    ) {
      let blockStride = channelBlock * blockPositions
      for ob in 0..<(paddedOut / channelBlock) {
        var j0 = 0
        while j0 < patch {
          tile4x6(
            x: xs, taps: taps + j0, xOffsets: xOffsets, gy: gys + ob * blockStride, steps: count,
            out: acc + j0 * paddedOut + ob * channelBlock, ld: paddedOut,
            tapCount: min(tileTaps, patch - j0), first: first)
          j0 += tileTaps
        }
      }
    }

    /// gradW[o·ld + j] += gWᵀ[j·paddedOut + o], 16 × 16 blocks at a time.
    func addTransposed(
      _ acc: UnsafePointer<Float>, into gradW: UnsafeMutablePointer<Float>, ld: Int
    ) {
      withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { tmp in
        let t = tmp.baseAddress!
        for j0 in Swift.stride(from: 0, to: patch, by: 16) {
          for o0 in Swift.stride(from: 0, to: outChannels, by: 16) {
            let rows = min(16, patch - j0), cols = min(16, outChannels - o0)
            transpose16(acc + j0 * paddedOut + o0, ld: paddedOut, rows: rows, cols: cols, into: t, ldDst: 16)
            for o in 0..<cols {
              let dst = gradW + (o0 + o) * ld + j0
              if rows == 16 {
                let raw = UnsafeMutableRawPointer(dst)
                let sum = raw.loadUnaligned(as: V.self)
                  + UnsafeRawPointer(t + o * 16).loadUnaligned(as: V.self)
                raw.storeBytes(of: sum, as: V.self)
              } else {
                for j in 0..<rows { dst[j] += t[o * 16 + j] }
              }
            }
          }
        }
      }
    }

    /// dst[c·ldDst + r] = src[r·ld + c] for r < rows, c < cols, zeros in lanes rows..<16.
    private func transpose16(
      _ src: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int,
      into dst: UnsafeMutablePointer<Float>, ldDst: Int
    ) {
      if GemmPacking.useAVX512 {
        lethe_transpose_block16(src, ld, Int32(rows), Int32(cols), 1, dst, ldDst, 16)
        return
      }
      for c in 0..<cols {
        for r in 0..<16 { dst[c * ldDst + r] = r < rows ? src[r * ld + c] : 0 }
      }
    }
  }
}
