import CBLAS

/// The weight gradient of a stride-1 convolution straight from the image and the output
/// gradient, without im2col columns or GEMM packing:
///
///   gW[o, j] += Σ_{s, q} gy(s, o, q) · x(s, c_j, row(q) + ki_j − pad, col(q) + kj_j − pad),
///
/// j = (c·kh + ki)·kw + kj. A 16-lane vector holds 16 consecutive output positions of a
/// *segment* (positions contiguous in both gy and x: a whole plane when OW == W — "same"
/// convolutions — else one output row), so gy's vector is one load and, at stride 1, x's vector
/// for a tap is one unaligned load from the input plane, masked to zero where the tap falls into
/// the padding or past the segment (AVX-512 masked loads never touch the lanes they drop).
/// A register tile of 4 output channels × 6 taps (24 accumulators) runs over the positions of a
/// block of samples: per 16 positions, 4 gy loads, 6 x loads and 24 FMAs; one horizontal sum
/// per accumulator per block.
public enum ConvWeightGradientDirect {
  typealias V = SIMD16<Float>

  /// Output channels per register tile.
  static let tileRows = 4
  /// Patch rows (taps) per register tile.
  static let tileTaps = 6
  /// Floats of image and gradient a block of samples may span (half of a 2 MiB L2): every tile
  /// of the block re-reads them.
  static let blockBudget = 1 << 18
  /// Positions a block of samples should reach, so the horizontal sums are amortised.
  static let blockPositions = 1024

  /// Whether `accumulate` handles `g`: stride 1, a non-empty output and offsets that fit 32 bits.
  /// It pays most where planes are wide (the whole plane, or each output row, is a run of full
  /// 16-lane vectors) and least on narrow valid convolutions (an output row of 5 positions uses
  /// 5 of 16 lanes).
  public static func suits(_ g: Conv2dShape) -> Bool {
    g.stride == 1 && g.padding >= 0 && g.kernelH > 0 && g.kernelW > 0 && g.inChannels > 0
      && g.outChannels > 0 && g.height > 0 && g.width > 0 && g.outH > 0 && g.outW > 0
      && g.inChannels * g.height * g.width < 1 << 30 && g.positions < 1 << 30
  }

  /// gradW[O, K] += Σ gy ⊗ patches and gradB[O] += Σ gy over `samples` samples, on the calling
  /// thread. `x` is the chunk's first sample (NCHW, sample stride C·H·W); the output gradient
  /// is gy(s, o, q) = gy[s·sampleStride + o·rowStride + q] with q = oh·OW + ow, so both the
  /// dense layout [S, O, P] (sampleStride O·P, rowStride P) and a gathered [O, S·P]
  /// (sampleStride P, rowStride S·P) work. Requires `suits(g)`.
  public static func accumulate(
    _ g: Conv2dShape, x: UnsafePointer<Float>, samples: Int, gy: UnsafePointer<Float>,
    sampleStride: Int, rowStride: Int, gradW: UnsafeMutablePointer<Float>,
    gradB: UnsafeMutablePointer<Float>?
  ) {
    precondition(suits(g), "ConvWeightGradientDirect: unsupported geometry \(g)")
    guard samples > 0 else { return }
    let p = g.positions, o = g.outChannels, k = g.patch
    if let gradB {
      for oc in 0..<o {
        var total: Float = 0
        for s in 0..<samples { total += VectorMath.sum(gy + s * sampleStride + oc * rowStride, p) }
        gradB[oc] += total
      }
    }
    let layout = StepLayout(g)
    let taps = g.kernelH * g.kernelW
    let tapBlocks = (k + tileTaps - 1) / tileTaps
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * layout.count) { steps in
      withUnsafeTemporaryAllocation(of: UInt16.self, capacity: layout.count * (taps + 1)) { laneMasks in
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: tapBlocks * layout.count * 8) { masks in
          layout.fill(g, steps: steps.baseAddress!, masks: laneMasks.baseAddress!)
          // Per tap block and step: the six taps' masks (the last tap repeated past K), the
          // positions' mask, one spare.
          for tb in 0..<tapBlocks {
            for v in 0..<layout.count {
              let row = masks.baseAddress! + (tb * layout.count + v) * 8
              let lanes = laneMasks.baseAddress! + v * (taps + 1)
              for i in 0..<tileTaps { row[i] = lanes[min(tb * tileTaps + i, k - 1) % taps] }
              row[6] = lanes[taps]
              row[7] = 0
            }
          }
          run(
            g, x: x, samples: samples, gy: gy, sampleStride: sampleStride, rowStride: rowStride,
            gradW: gradW, steps: steps.baseAddress!, stepCount: layout.count,
            masks: masks.baseAddress!)
        }
      }
    }
  }

  /// The tile loops: blocks of samples, then output-channel blocks, then tap blocks.
  static func run(
    _ g: Conv2dShape, x: UnsafePointer<Float>, samples: Int, gy: UnsafePointer<Float>,
    sampleStride: Int, rowStride: Int, gradW: UnsafeMutablePointer<Float>,
    steps: UnsafePointer<Int32>, stepCount: Int, masks: UnsafePointer<UInt16>
  ) {
    let p = g.positions, o = g.outChannels, k = g.patch
    let plane = g.height * g.width, sampleIn = g.inChannels * plane
    let tapsPerChannel = g.kernelH * g.kernelW
    let tapBlocks = (k + tileTaps - 1) / tileTaps
    // x offset of patch row j relative to a step's offset.
    let tapOffset = { (j: Int) -> Int in
      let c = j / tapsPerChannel, t = j % tapsPerChannel
      return c * plane + (t / g.kernelW) * g.width + t % g.kernelW
    }
    let wanted = (blockPositions + p - 1) / p
    let fits = max(1, blockBudget / max(1, sampleIn + o * p))
    let block = max(1, min(wanted, fits))
    var s0 = 0
    while s0 < samples {
      let count = min(block, samples - s0)
      let xb = x + s0 * sampleIn, gb = gy + s0 * sampleStride
      var o0 = 0
      while o0 < o {
        let rowCount = min(tileRows, o - o0)
        let row = { (r: Int) in (o0 + min(r, rowCount - 1)) * rowStride }
        for tb in 0..<tapBlocks {
          let j0 = tb * tileTaps
          let tapCount = min(tileTaps, k - j0)
          let tap = { (i: Int) in tapOffset(min(j0 + i, k - 1)) }
          tile(
            x: xb, gy: gb, samples: count, xStride: sampleIn, gyStride: sampleStride,
            rows: (row(0), row(1), row(2), row(3)),
            taps: (tap(0), tap(1), tap(2), tap(3), tap(4), tap(5)),
            steps: steps, masks: masks + tb * stepCount * 8, stepCount: stepCount,
            out: gradW + o0 * k + j0, ld: k, rowCount: rowCount, tapCount: tapCount)
        }
        o0 += tileRows
      }
      s0 += count
    }
  }

  /// out[r·ld + t] += Σ over the samples and steps of gy row r · x tap t, for r < rowCount,
  /// t < tapCount. `rows` are gy offsets (from a sample's start), `taps` x offsets (from a
  /// sample's start, added to each step's offset); `steps` holds (q, x offset) per step,
  /// `masks` eight lane masks per step (six taps, then the positions).
  @inline(never)
  static func tile(
    x: UnsafePointer<Float>, gy: UnsafePointer<Float>, samples: Int, xStride: Int, gyStride: Int,
    rows: (Int, Int, Int, Int), taps: (Int, Int, Int, Int, Int, Int),
    steps: UnsafePointer<Int32>, masks: UnsafePointer<UInt16>, stepCount: Int,
    out: UnsafeMutablePointer<Float>, ld: Int, rowCount: Int, tapCount: Int
  ) {
    var a00 = V(), a01 = V(), a02 = V(), a03 = V(), a04 = V(), a05 = V()
    var a10 = V(), a11 = V(), a12 = V(), a13 = V(), a14 = V(), a15 = V()
    var a20 = V(), a21 = V(), a22 = V(), a23 = V(), a24 = V(), a25 = V()
    var a30 = V(), a31 = V(), a32 = V(), a33 = V(), a34 = V(), a35 = V()
    for s in 0..<samples {
      let xs = x + s * xStride, gs = gy + s * gyStride
      let g0 = gs + rows.0, g1 = gs + rows.1, g2 = gs + rows.2, g3 = gs + rows.3
      let x0 = xs + taps.0, x1 = xs + taps.1, x2 = xs + taps.2
      let x3 = xs + taps.3, x4 = xs + taps.4, x5 = xs + taps.5
      var m = masks
      for v in 0..<stepCount {
        let q = Int(steps[2 &* v]), o = Int(steps[2 &* v &+ 1])
        let tail = m[6]
        let y0 = lethe_cd_load16(g0 + q, tail), y1 = lethe_cd_load16(g1 + q, tail)
        let y2 = lethe_cd_load16(g2 + q, tail), y3 = lethe_cd_load16(g3 + q, tail)
        let b0 = lethe_cd_load16(x0 + o, m[0])
        a00.addProduct(y0, b0); a10.addProduct(y1, b0); a20.addProduct(y2, b0); a30.addProduct(y3, b0)
        let b1 = lethe_cd_load16(x1 + o, m[1])
        a01.addProduct(y0, b1); a11.addProduct(y1, b1); a21.addProduct(y2, b1); a31.addProduct(y3, b1)
        let b2 = lethe_cd_load16(x2 + o, m[2])
        a02.addProduct(y0, b2); a12.addProduct(y1, b2); a22.addProduct(y2, b2); a32.addProduct(y3, b2)
        let b3 = lethe_cd_load16(x3 + o, m[3])
        a03.addProduct(y0, b3); a13.addProduct(y1, b3); a23.addProduct(y2, b3); a33.addProduct(y3, b3)
        let b4 = lethe_cd_load16(x4 + o, m[4])
        a04.addProduct(y0, b4); a14.addProduct(y1, b4); a24.addProduct(y2, b4); a34.addProduct(y3, b4)
        let b5 = lethe_cd_load16(x5 + o, m[5])
        a05.addProduct(y0, b5); a15.addProduct(y1, b5); a25.addProduct(y2, b5); a35.addProduct(y3, b5)
        m += 8
      }
    }
    let sums = (
      lethe_cd_sum4(a00, a10, a20, a30), lethe_cd_sum4(a01, a11, a21, a31),
      lethe_cd_sum4(a02, a12, a22, a32), lethe_cd_sum4(a03, a13, a23, a33),
      lethe_cd_sum4(a04, a14, a24, a34), lethe_cd_sum4(a05, a15, a25, a35))
    withUnsafeBytes(of: sums) { raw in
      let s = raw.assumingMemoryBound(to: Float.self)
      for r in 0..<rowCount {
        for t in 0..<tapCount { out[r * ld + t] += s[t * 4 + r] }
      }
    }
  }

  /// The 16-position steps of one sample: each lies inside one segment (the whole plane when
  /// OW == W, else one output row), so its gy and x vectors are contiguous.
  struct StepLayout {
    /// Steps per sample.
    let count: Int
    /// Whether a segment is the whole plane.
    let wholePlane: Bool
    let perRow: Int

    init(_ g: Conv2dShape) {
      wholePlane = g.outW == g.width
      perRow = (g.outW + 15) / 16
      count = wholePlane ? (g.positions + 15) / 16 : g.outH * perRow
    }

    /// steps[2v] = first position q of step v, steps[2v + 1] = x offset of tap (0, 0) at
    /// that position; masks[v·(taps + 1) + t] = lanes where tap t reads inside the image, then
    /// the lanes inside the segment.
    func fill(_ g: Conv2dShape, steps: UnsafeMutablePointer<Int32>, masks: UnsafeMutablePointer<UInt16>) {
      let ow = g.outW, pad = g.padding, taps = g.kernelH * g.kernelW
      for v in 0..<count {
        let q0: Int, length: Int, oh0: Int, ow0: Int
        if wholePlane {
          q0 = v * 16
          length = min(16, g.positions - q0)
        } else {
          let u = v % perRow
          q0 = (v / perRow) * ow + u * 16
          length = min(16, ow - u * 16)
        }
        (oh0, ow0) = (q0 / ow, q0 % ow)
        steps[2 * v] = Int32(q0)
        steps[2 * v + 1] = Int32((oh0 - pad) * g.width + ow0 - pad)
        let row = masks + v * (taps + 1)
        for t in 0...taps { row[t] = 0 }
        for lane in 0..<length {
          let q = q0 + lane
          let (oh, owq) = (q / ow, q % ow)
          for ki in 0..<g.kernelH {
            let r = oh + ki - pad
            if r < 0 || r >= g.height { continue }
            for kj in 0..<g.kernelW {
              let c = owq + kj - pad
              if c >= 0 && c < g.width { row[ki * g.kernelW + kj] |= 1 << lane }
            }
          }
          row[taps] |= 1 << lane
        }
      }
    }
  }
}
