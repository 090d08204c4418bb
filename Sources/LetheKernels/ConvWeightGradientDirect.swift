import CBLAS

/// The weight gradient of a stride-1 convolution straight from the image and the output
/// gradient, without im2col columns or GEMM packing:
///
///   gW[o, j] += Σ_{s, q} gy(s, o, q) · x(s, c_j, row(q) + ki_j − pad, col(q) + kj_j − pad),
///
/// j = (c·kh + ki)·kw + kj. A 16-lane vector holds 16 consecutive output positions, so gy's
/// vector is one load and, at stride 1, x's vector for a tap is one unaligned load from the
/// input plane, as long as output rows and input rows have the same length: the samples of a
/// block are therefore copied channel by channel into a staging buffer with rows of
/// Wp = max(W, OW) floats (for a "same" convolution, OW = W, a plain copy; for the CNN's valid
/// 26 → 24, gy's rows get two unused lanes). Vectors then run across output rows over a whole
/// plane, and each FMA keeps only the lanes where the tap reads inside the image
/// (merge-masked: the lanes it drops are not computed at all). The staging buffer has zeroed
/// margins, so no load leaves it, and a channel's planes are contiguous across the block,
/// which avoids the cache-set conflicts of a large power-of-two sample stride.
///
/// A register tile holds 4 output channels × 5 input channels at one kernel position
/// (ki, kj) in 20 accumulators: per 16 positions, 4 gy loads, 5 x loads, one lane mask (the
/// same for the whole tile: it depends only on (ki, kj) and the position) and 20 FMAs
/// (7 × 3 for 2–3 input channels, 12 × 1 for one). The kh·kw
/// kernel positions of one channel block and output block run back to back over the same
/// data, which the block keeps in L1; one horizontal sum per accumulator per tile.
public enum ConvWeightGradientDirect {
  typealias V = SIMD16<Float>

  /// Register tiles: output channels × input channels at one kernel position, chosen by the
  /// input channel count so that few channel slots go unused.
  enum TileShape {
    /// 4 × 5 (20 accumulators, 9 loads a step), for C ≥ 4.
    case wide
    /// 7 × 3 (21 accumulators, 10 loads), for C = 2 or 3.
    case narrow
    /// 12 × 1 (12 accumulators, 13 loads), for C = 1.
    case single

    init(inChannels c: Int) { self = c >= 4 ? .wide : c >= 2 ? .narrow : .single }

    var rows: Int { self == .wide ? 4 : self == .narrow ? 7 : 12 }
    var channels: Int { self == .wide ? 5 : self == .narrow ? 3 : 1 }
  }
  /// Largest rows + channels of any tile shape (offsets scratch).
  static let tileOffsets = 13
  /// Output positions (per plane, padded rows) a block of samples aims for: a tile's steps.
  static let blockPositions = 1024
  /// At most this many floats of one tile's x planes (its channels × the block) so that they
  /// stay in L1 while every output block and kernel position reads them.
  static let blockPlaneBudget = 6 * 1024

  /// Whether `accumulate` handles `g`: stride 1, a non-empty output and sizes that fit.
  /// Measured against im2col + GEMM at batch 128 on two threads (docs/performance-conv.md): it
  /// pays on wide planes with a short patch (ResNet's 64-channel 32×32 layer, 0.66–0.82 of the
  /// time; 128 channels at 16×16, 0.85–0.95; the 3-channel stem, 0.76–0.83), breaks even on
  /// the CNN's two convolutions, and loses where the patch is long and the plane small (256
  /// channels at 8×8 1.0–1.2, 512 at 4×4 1.1–1.2, where the GEMM runs near its best).
  public static func suits(_ g: Conv2dShape) -> Bool {
    g.stride == 1 && g.padding >= 0 && g.kernelH > 0 && g.kernelW > 0 && g.inChannels > 0
      && g.outChannels > 0 && g.height > 0 && g.width > 0 && g.outH > 0 && g.outW > 0
      && g.inChannels * g.height * max(g.width, g.outW) < 1 << 28
      && g.outChannels * g.outH * max(g.width, g.outW) < 1 << 28
  }

  /// gradW[O, K] += Σ gy ⊗ patches and gradB[O] += Σ gy over `samples` samples, on the calling
  /// thread. `x` is the chunk's first sample (NCHW, sample stride C·H·W); the output gradient
  /// is gy(s, o, q) = gy[s·sampleStride + o·rowStride + q] with q = oh·OW + ow, so both the
  /// dense layout [S, O, P] (sampleStride O·P, rowStride P) and a gathered [O, S·P]
  /// (sampleStride P, rowStride S·P) work. Reads only x[0..<samples·C·H·W] and the gy rows
  /// named. Requires `suits(g)`.
  public static func accumulate(
    _ g: Conv2dShape, x: UnsafePointer<Float>, samples: Int, gy: UnsafePointer<Float>,
    sampleStride: Int, rowStride: Int, gradW: UnsafeMutablePointer<Float>,
    gradB: UnsafeMutablePointer<Float>?
  ) {
    precondition(suits(g), "ConvWeightGradientDirect: unsupported geometry \(g)")
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
    let layout = Layout(g, samples: samples)
    let taps = g.kernelH * g.kernelW
    let entries = layout.block * layout.steps
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * entries + tileOffsets) {
      offsets in
      withUnsafeTemporaryAllocation(of: UInt16.self, capacity: taps * layout.steps) { masks in
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: taps * entries) { blockMasks in
          let offsets = offsets.baseAddress!
          layout.fillMasks(g, masks.baseAddress!)
          // The block's step table: offsets from a staged plane's start (sample s of the block
          // at s·plane), and the lane masks of kernel position t in row t of `blockMasks`.
          for s in 0..<layout.block {
            for v in 0..<layout.steps {
              offsets[s * layout.steps + v] = s * layout.gyPlane + 16 * v
              offsets[entries + s * layout.steps + v] = s * layout.xPlane + 16 * v + layout.firstTap
            }
          }
          for t in 0..<taps {
            for s in 0..<layout.block {
              (blockMasks.baseAddress! + t * entries + s * layout.steps)
                .update(from: masks.baseAddress! + t * layout.steps, count: layout.steps)
            }
          }
          Scratch.withBuffer(layout.stagingFloats(g) + 15) { raw in
            // 64-byte aligned, so that gy's vectors (and x's at kernel column `padding`) are
            // whole cache lines.
            let staging = raw + (16 - (Int(bitPattern: raw) >> 2) & 15) & 15
            layout.zeroMargins(g, staging)
            var s0 = 0
            while s0 < samples {
              let count = min(layout.block, samples - s0)
              layout.stage(
                g, x: x + s0 * g.inChannels * g.height * g.width, gy: gy + s0 * sampleStride,
                samples: count, sampleStride: sampleStride, rowStride: rowStride, into: staging)
              layout.tiles(
                g, staging: staging, samples: count, gyOffsets: offsets, xOffsets: offsets + entries,
                masks: blockMasks.baseAddress!, maskStride: entries,
                scratch: offsets + 2 * entries, gradW: gradW)
              s0 += count
            }
          }
        }
      }
    }
  }

  /// Where a block of samples is staged and how its positions are stepped through.
  struct Layout {
    /// Row length of the staged planes: max(W, OW).
    let rowLength: Int
    /// Floats per staged x plane (H rows) and gy plane (OH rows).
    let xPlane: Int, gyPlane: Int
    /// 16-position steps per sample (over the gy plane).
    let steps: Int
    /// Samples per block.
    let block: Int
    /// x offset of kernel position (0, 0) at position 0 of a plane: −pad·Wp − pad.
    let firstTap: Int
    /// Zeroed floats before the staged x planes and after them (the farthest reach of a
    /// vector), and after the gy planes.
    let xBefore: Int, xAfter: Int, gyAfter: Int

    /// Cache-line skew between channels' staged planes (one line), and of the gy region.
    let skew = 16, gySkew = 128

    /// The register tile for this channel count.
    let shape: TileShape

    init(_ g: Conv2dShape, samples: Int) {
      shape = TileShape(inChannels: g.inChannels)
      rowLength = max(g.width, g.outW)
      xPlane = g.height * rowLength
      gyPlane = g.outH * rowLength
      steps = (gyPlane + 15) / 16
      firstTap = -g.padding * rowLength - g.padding
      xBefore = -firstTap
      let reach = firstTap + 16 * steps + (g.kernelH - 1) * rowLength + g.kernelW - 1
      xAfter = max(0, reach - xPlane)
      gyAfter = 16 * steps - gyPlane
      let wanted = (blockPositions + gyPlane - 1) / gyPlane
      let fits = blockPlaneBudget / (shape.channels * xPlane)
      block = max(1, min(samples, wanted, fits))
    }

    /// Floats between the staged x planes of consecutive channels and gy planes of
    /// consecutive output channels: a block's planes plus a skew of one cache line, so that
    /// the tile's nine streams do not all map to the same L1 sets.
    var xChannel: Int { block * xPlane + skew }
    var gyRow: Int { block * gyPlane + skew }

    /// Where the staged x planes start (after the zeroed margin, rounded to 64 bytes).
    var xStart: Int { (xBefore + 15) / 16 * 16 }

    /// Where the staged gy planes start (64-byte aligned).
    func gyStart(_ g: Conv2dShape) -> Int {
      (xStart + g.inChannels * xChannel + xAfter + 15) / 16 * 16 + gySkew
    }

    /// Floats of the staging buffer: C·block x planes, then O·block gy planes, with margins.
    func stagingFloats(_ g: Conv2dShape) -> Int {
      gyStart(g) + g.outChannels * gyRow + gyAfter + 16
    }

    /// Zeroes the margins around and between the staged planes (staging does not overwrite
    /// them). Masked-out lanes read them: whatever they hold does not reach the sums, but
    /// leftover bits that happen to be subnormal floats slow the FMAs down a hundredfold.
    func zeroMargins(_ g: Conv2dShape, _ staging: UnsafeMutablePointer<Float>) {
      staging.update(repeating: 0, count: xStart)
      for c in 0..<g.inChannels {
        (staging + xStart + c * xChannel + block * xPlane).update(repeating: 0, count: skew)
      }
      for o in 0..<g.outChannels {
        (staging + gyStart(g) + o * gyRow + block * gyPlane).update(repeating: 0, count: skew)
      }
      let xEnd = xStart + g.inChannels * xChannel
      (staging + xEnd).update(repeating: 0, count: gyStart(g) - xEnd)
      let gyEnd = gyStart(g) + g.outChannels * gyRow
      (staging + gyEnd).update(repeating: 0, count: stagingFloats(g) - gyEnd)
    }

    /// Copies `samples` ≤ block samples into the staging buffer: x plane (c, s) at
    /// xStart + (c·block + s)·xPlane, gy plane (o, s) at gyStart + (o·block + s)·gyPlane, rows
    /// of `rowLength` floats (zero-filled past W or OW).
    func stage(
      _ g: Conv2dShape, x: UnsafePointer<Float>, gy: UnsafePointer<Float>, samples: Int,
      sampleStride: Int, rowStride: Int, into staging: UnsafeMutablePointer<Float>
    ) {
      let plane = g.height * g.width, sampleIn = g.inChannels * plane
      for c in 0..<g.inChannels {
        for s in 0..<samples {
          let dst = staging + xStart + c * xChannel + s * xPlane
          copyPlane(x + s * sampleIn + c * plane, rows: g.height, width: g.width, into: dst)
        }
      }
      let gyBase = staging + gyStart(g)
      for o in 0..<g.outChannels {
        for s in 0..<samples {
          let dst = gyBase + o * gyRow + s * gyPlane
          copyPlane(gy + s * sampleStride + o * rowStride, rows: g.outH, width: g.outW, into: dst)
        }
      }
    }

    private func copyPlane(
      _ src: UnsafePointer<Float>, rows: Int, width: Int, into dst: UnsafeMutablePointer<Float>
    ) {
      if width == rowLength {
        dst.update(from: src, count: rows * width)
        return
      }
      for r in 0..<rows {
        (dst + r * rowLength).update(from: src + r * width, count: width)
        (dst + r * rowLength + width).update(repeating: 0, count: rowLength - width)
      }
    }

    /// Every tile of a staged block: channel blocks, output-channel blocks, and the kernel
    /// positions innermost (same planes, shifted). `scratch` holds `tileOffsets` Ints.
    func tiles(
      _ g: Conv2dShape, staging: UnsafeMutablePointer<Float>, samples: Int,
      gyOffsets: UnsafePointer<Int>, xOffsets: UnsafePointer<Int>, masks: UnsafePointer<UInt16>,
      maskStride: Int, scratch: UnsafeMutablePointer<Int>, gradW: UnsafeMutablePointer<Float>
    ) {
      let c = g.inChannels, o = g.outChannels, k = g.patch, taps = g.kernelH * g.kernelW
      let tileRows = shape.rows, tileChannels = shape.channels
      let rows = scratch, planes = scratch + tileRows
      let xBase = staging + xStart, gyBase = staging + gyStart(g)
      let n = samples * steps
      var c0 = 0
      while c0 < c {
        let channelCount = min(tileChannels, c - c0)
        for i in 0..<tileChannels { planes[i] = (c0 + min(i, channelCount - 1)) * xChannel }
        var o0 = 0
        while o0 < o {
          let rowCount = min(tileRows, o - o0)
          for r in 0..<tileRows { rows[r] = (o0 + min(r, rowCount - 1)) * gyRow }
          for t in 0..<taps {
            let offset = (t / g.kernelW) * rowLength + t % g.kernelW
            tile(
              shape, x: xBase + offset, gy: gyBase, rows: rows, planes: planes, gyOffsets: gyOffsets,
              xOffsets: xOffsets, masks: masks + t * maskStride, steps: n,
              out: gradW + o0 * k + c0 * taps + t, ld: k, tapStride: taps, rowCount: rowCount,
              channelCount: channelCount)
          }
          o0 += tileRows
        }
        c0 += tileChannels
      }
    }

    /// lanes where kernel position t reads inside the image, for every step: masks[t·steps + v].
    func fillMasks(_ g: Conv2dShape, _ masks: UnsafeMutablePointer<UInt16>) {
      let taps = g.kernelH * g.kernelW, pad = g.padding
      masks.update(repeating: 0, count: taps * steps)
      for v in 0..<steps {
        for lane in 0..<16 {
          let q = 16 * v + lane
          let (oh, ow) = (q / rowLength, q % rowLength)
          if oh >= g.outH || ow >= g.outW { continue }
          for ki in 0..<g.kernelH where oh + ki >= pad && oh + ki - pad < g.height {
            for kj in 0..<g.kernelW where ow + kj >= pad && ow + kj - pad < g.width {
              masks[(ki * g.kernelW + kj) * steps + v] |= 1 << lane
            }
          }
        }
      }
    }
  }
}
