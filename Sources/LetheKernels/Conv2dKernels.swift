import Synchronization
import Foundation

/// The geometry of a 2-D convolution over NCHW inputs with `[out, in, kh, kw]` weights.
public struct Conv2dShape: Sendable, Equatable {
  /// Batch size.
  public var batch: Int
  /// Input channels.
  public var inChannels: Int
  /// Input height.
  public var height: Int
  /// Input width.
  public var width: Int
  /// Output channels.
  public var outChannels: Int
  /// Kernel height.
  public var kernelH: Int
  /// Kernel width.
  public var kernelW: Int
  /// Stride (both axes).
  public var stride: Int
  /// Zero padding (both axes, both sides).
  public var padding: Int

  /// A convolution geometry; the caller has validated that the output is non-empty.
  public init(
    batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernelH: Int,
    kernelW: Int, stride: Int, padding: Int
  ) {
    self.batch = batch
    self.inChannels = inChannels
    self.height = height
    self.width = width
    self.outChannels = outChannels
    self.kernelH = kernelH
    self.kernelW = kernelW
    self.stride = stride
    self.padding = padding
  }

  /// Output height.
  public var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
  /// Output width.
  public var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
  /// Output positions per sample.
  var positions: Int { outH * outW }
  /// Rows of the im2col matrix (in · kh · kw).
  var patch: Int { inChannels * kernelH * kernelW }
}

/// Convolution lowered to GEMM: im2col over a chunk of samples side by side, one large
/// `Gemm.sgemm` per chunk, and col2im for the input gradient.
public enum Conv2dKernels {
  /// Floats of im2col scratch per chunk: big enough for efficient GEMMs, small enough to stay
  /// in the last-level cache on typical layers.
  static let columnBudget = 1 << 21

  static func chunkSize(_ g: Conv2dShape) -> Int {
    max(1, min(g.batch, columnBudget / max(1, g.patch * g.positions)))
  }

  /// y[N, O, OH, OW] = conv(x[N, C, H, W], weight[O, C, kh, kw]) + bias[O], followed by
  /// max(·, 0) when `relu`. Planes of ≥ 48 positions go through the implicit GEMM
  /// (`ConvImplicitGemm`), smaller ones through im2col of a chunk of samples and one GEMM.
  @inline(never)
  public static func forward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool = false, y: UnsafeMutablePointer<Float>
  ) {
    if useDirect(g) {
      ConvDirectForward.forward(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
      return
    }
    if ConvImplicitGemm.suits(g) && !forceIm2col {
      ConvImplicitGemm.forward(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
      return
    }
    forwardIm2col(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
  }

  /// When true, every forward takes the im2col path (benchmarks time both paths in one run).
  public static var forceIm2col: Bool {
    get { forceIm2colStorage.load(ordering: .relaxed) }
    set { forceIm2colStorage.store(newValue, ordering: .relaxed) }
  }
  private static let forceIm2colStorage = Atomic<Bool>(false)

  /// When false, the backward's input gradient goes through `Gemm.sgemm` per chunk (which
  /// packs Wᵀ every time) instead of `ConvInputGradientGemm` (benchmarks time both).
  public static var prepackWeights: Bool {
    get { prepackWeightsStorage.load(ordering: .relaxed) }
    set { prepackWeightsStorage.store(newValue, ordering: .relaxed) }
  }
  private static let prepackWeightsStorage = Atomic<Bool>(true)

  /// When false, Core's `Sequential` runs Conv2d → ReLU → MaxPool2d as a fused convolution +
  /// ReLU followed by a separate max-pool (benchmarks time both in one run).
  public static var fusePooling: Bool {
    get { fusePoolingStorage.load(ordering: .relaxed) }
    set { fusePoolingStorage.store(newValue, ordering: .relaxed) }
  }
  private static let fusePoolingStorage = Atomic<Bool>(true)

  /// The im2col forward (see `forward`).
  @inline(never)
  public static func forwardIm2col(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool = false, y: UnsafeMutablePointer<Float>
  ) {
    let p = g.positions
    let k = g.patch
    let o = g.outChannels
    let nb = chunkSize(g)
    Scratch.withBuffer(k * nb * p) { col in
      Scratch.withBuffer(o * nb * p) { out in
        forwardChunks(g, x: x, weight: weight, bias: bias, relu: relu, y: y, col: col, out: out)
      }
    }
  }

  static func forwardChunks(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>,
    col: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
  ) {
    let p = g.positions
    let k = g.patch
    let o = g.outChannels
    let nb = chunkSize(g)
    let sampleIn = g.inChannels * g.height * g.width
    var n0 = 0
    while n0 < g.batch {
      let cnt = min(nb, g.batch - n0)
      let ld = cnt * p
      let base = n0
      blocks(g.inChannels, cnt, work: cnt * k * p) { cs, ss in
        im2col(
          g, x: x + (base + ss.lowerBound) * sampleIn, samples: ss.count, channels: cs,
          col: col + ss.lowerBound * p, ld: ld)
      }
      Gemm.sgemm(
        transA: false, transB: false, m: o, n: ld, k: k, alpha: 1, a: weight, lda: k, b: col,
        ldb: ld, beta: 0, c: out, ldc: ld)
      Parallel.forEachIndex(cnt, work: o * p) { s in
        let dst = y + (base + s) * o * p
        for oc in 0..<o {
          let src = out + oc * ld + s * p
          let d = dst + oc * p
          let bv = bias?[oc] ?? 0
          if relu {
            for i in 0..<p { d[i] = Swift.max(src[i] + bv, 0) }
          } else {
            for i in 0..<p { d[i] = src[i] + bv }
          }
        }
      }
      n0 += cnt
    }
  }

  /// Gradients of the convolution. `gradX` is overwritten; `gradW` and `gradB` are overwritten
  /// too (the caller accumulates). Any of them may be nil when not needed. With `reluOutput`
  /// (the output y of a convolution fused with ReLU), the incoming gradient is first masked to
  /// where y > 0: the gradients of relu(conv(x)).
  ///
  /// The batch is cut into chunks of a few samples, handed to the threads whole: each thread
  /// gathers its chunk's gradient and im2col columns into its own cache-sized buffers, runs
  /// single-threaded GEMMs into its own weight-gradient accumulator and scatters the input
  /// gradient of its samples (which no other thread touches); the accumulators are summed at
  /// the end. No barrier inside the loop, no buffer larger than a chunk.
  public static func backward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradY: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
    gradX: UnsafeMutablePointer<Float>?, gradW: UnsafeMutablePointer<Float>?,
    gradB: UnsafeMutablePointer<Float>?
  ) {
    backward(
      g, x: x, weight: weight, source: .dense(gradY, mask: reluOutput), gradX: gradX, gradW: gradW,
      gradB: gradB)
  }

  /// Gradients of max-pool(relu(conv(x))) (see the other `backward`), from the pooled output's
  /// gradient: each chunk expands its samples' gradient planes from `pooled` into its own
  /// buffer, so the full-size gradient at the convolution's output is never materialised.
  public static func backward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    pooled: PooledReLUGradient, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?
  ) {
    backward(g, x: x, weight: weight, source: .pooled(pooled), gradX: gradX, gradW: gradW, gradB: gradB)
  }

  /// Where a backward pass reads the gradient at the convolution's output.
  enum GradientSource {
    /// [N, O, OH, OW], masked to where `mask` (a fused ReLU's output) is positive when given.
    case dense(UnsafePointer<Float>, mask: UnsafePointer<Float>?)
    /// The gradient of a max-pool over the (ReLU'd) output.
    case pooled(PooledReLUGradient)
  }

  @inline(never)
  static func backward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    source: GradientSource, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?
  ) {
    if gradX == nil && gradW == nil && gradB == nil { return }
    // (Into a few input channels, as a stem's, the 12-row tiles would be mostly empty.)
    if let gx = gradX, case .dense(let gy, mask: nil) = source, g.inChannels >= 8, useDirect(g) {
      ConvDirectForward.inputGradient(g, weight: weight, gradY: gy, gradX: gx)
      backward(g, x: x, weight: weight, source: source, gradX: nil, gradW: gradW, gradB: gradB)
      return
    }
    let directW = gradW != nil && useDirectWeightGradient(g)
    if directW, let gw = gradW, case .dense(let gy, mask: nil) = source {
      if let gx = gradX {
        backward(g, x: x, weight: weight, source: source, gradX: gx, gradW: nil, gradB: nil)
      }
      directWeightGradient(g, x: x, gradY: gy, gradW: gw, gradB: gradB)
      return
    }
    let p = g.positions, k = g.patch, o = g.outChannels
    let threads = Parallel.threadCount
    let plan = BackwardPlan(g, threads: threads)
    let workers = min(threads, plan.chunks)
    // Per worker: the chunk's gradient [O, S·P], its columns [K, S·P], and accumulators for
    // the weight gradient (K·O, transposed when K < O) and the bias gradient (O).
    let gyFloats = o * plan.samples * p
    let colFloats = k * plan.samples * p
    let accFloats = k * o + o
    // With the Swift GEMM and an input gradient to compute: Wᵀ packed once, shared, plus a
    // B-panel buffer per worker (`ConvInputGradientGemm`); sizes rounded to 64 bytes.
    let prepack = gradX != nil && prepackWeights && Gemm.backend == .swift
    let round16 = { (n: Int) in (n + 15) / 16 * 16 }
    let panelFloats = prepack
      ? round16(ConvInputGradientGemm.panelFloats(o: o, ld: plan.samples * p)) : 0
    let packedFloats = prepack ? round16(ConvInputGradientGemm.packedFloats(k: k, o: o)) : 0
    let perWorker = round16(gyFloats + colFloats + accFloats) + panelFloats
    // GEMMs with a narrow output (n < 32) run far below peak: when the patch is smaller than
    // the output channel count (first layers), accumulate gWᵀ = col · gyᵀ and transpose once.
    let transposedW = k < o && !directW
    Scratch.withBuffer(perWorker * workers + packedFloats + 16) { raw in
      // 64-byte aligned: the packed panels are read a zmm at a time.
      let scratch = raw + (16 - (Int(bitPattern: raw) >> 2) & 15) & 15
      let inputGemm = prepack
        ? ConvInputGradientGemm(
          weight: weight, k: k, o: o, packed: scratch + perWorker * workers) : nil
      for w in 0..<workers { (scratch + w * perWorker + gyFloats + colFloats).update(repeating: 0, count: accFloats) }
      // Each share (a fixed run of chunks) owns one accumulator, whichever thread runs it, so
      // the sums — and the trained weights — are the same run after run.
      Parallel.forEachWorker(count: workers, threads: workers) { share, _ in
        let base = scratch + share * perWorker
        let gy = base, col = base + gyFloats, accW = col + colFloats, accB = accW + k * o
        for chunk in (share * plan.chunks / workers)..<((share + 1) * plan.chunks / workers) {
          let n0 = chunk * plan.samples
          let cnt = min(plan.samples, g.batch - n0)
          if cnt <= 0 { continue }
          backwardChunk(
            g, x: x, weight: weight, source: source, first: n0, count: cnt,
            wantX: gradX, wantW: gradW != nil, wantB: gradB != nil, directW: directW,
            transposedW: transposedW,
            gy: gy, col: col, accW: accW, accB: accB, inputGemm: inputGemm,
            panels: base + perWorker - panelFloats)
        }
      }
      let accAt = { (w: Int) in scratch + w * perWorker + gyFloats + colFloats }
      if let gw = gradW {
        Parallel.forEachChunk(count: o, minChunk: max(1, 4096 / max(k, 1))) { rows in
          for oc in rows {
            let dst = gw + oc * k
            for j in 0..<k {
              var total: Float = 0
              for w in 0..<workers {
                total += transposedW ? accAt(w)[j * o + oc] : accAt(w)[oc * k + j]
              }
              dst[j] = total
            }
          }
        }
      }
      if let gb = gradB {
        for oc in 0..<o {
          var total: Float = 0
          for w in 0..<workers { total += accAt(w)[k * o + oc] }
          gb[oc] = total
        }
      }
    }
  }

  /// How `backward` cuts the batch: chunks of `samples` samples, enough columns per chunk for
  /// an efficient GEMM depth (≥ 256 positions), columns small enough to stay near the core
  /// (≤ 2¹⁸ floats unless one sample needs more), and at least two chunks per thread.
  struct BackwardPlan {
    let samples: Int
    let chunks: Int

    init(_ g: Conv2dShape, threads: Int) {
      let perSample = g.patch * g.positions
      var s = max((256 + g.positions - 1) / g.positions, (1 << 18) / max(perSample, 1))
      s = max(1, min(s, (g.batch + 2 * threads - 1) / (2 * threads)))
      samples = s
      chunks = (g.batch + s - 1) / s
    }
  }

  /// One chunk of `backward` on the calling thread: samples first..<first + count.
  static func backwardChunk(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    source: GradientSource, first: Int, count: Int,
    wantX gradX: UnsafeMutablePointer<Float>?, wantW: Bool, wantB: Bool, directW: Bool,
    transposedW: Bool,
    gy gyBuffer: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>,
    accW: UnsafeMutablePointer<Float>, accB: UnsafeMutablePointer<Float>,
    inputGemm: ConvInputGradientGemm?, panels: UnsafeMutablePointer<Float>
  ) {
    let p = g.positions, k = g.patch, o = g.outChannels
    let ld = count * p
    let sampleIn = g.inChannels * g.height * g.width
    let backend = Gemm.backend
    // gy[oc, s·P + i] = gradY[first + s, oc, i] (masked where the fused ReLU's output is 0);
    // one unmasked sample is already in that layout.
    let gy: UnsafePointer<Float>
    switch source {
    case .dense(let gradY, mask: .none) where count == 1:
      gy = gradY + first * o * p
    case .pooled(let pooled):
      for s in 0..<count {
        for oc in 0..<o {
          pooled.expand(plane: (first + s) * o + oc, into: gyBuffer + oc * ld + s * p, positions: p)
        }
      }
      gy = UnsafePointer(gyBuffer)
    case .dense(let gradY, let mask):
      for s in 0..<count {
        let src = gradY + (first + s) * o * p
        for oc in 0..<o {
          let d = gyBuffer + oc * ld + s * p
          if let mask {
            Elementwise.reluBackward(src + oc * p, mask + (first + s) * o * p + oc * p, d, count: p)
          } else {
            d.update(from: src + oc * p, count: p)
          }
        }
      }
      gy = UnsafePointer(gyBuffer)
    }
    if wantB {
      for oc in 0..<o { accB[oc] += VectorMath.sum(gy + oc * ld, ld) }
    }
    if wantW && directW {
      ConvWeightGradientDirect.accumulate(
        g, x: x + first * sampleIn, samples: count, gy: gy, sampleStride: p, rowStride: ld,
        gradW: accW, gradB: nil)
    } else if wantW {
      im2col(
        g, x: x + first * sampleIn, samples: count, channels: 0..<g.inChannels, col: col, ld: ld)
      if transposedW {
        Gemm.sgemm(
          backend: backend, transA: false, transB: true, m: k, n: o, k: ld, alpha: 1, a: col,
          lda: ld, b: gy, ldb: ld, beta: 1, c: accW, ldc: o, threads: 1)
      } else {
        Gemm.sgemm(
          backend: backend, transA: false, transB: true, m: o, n: k, k: ld, alpha: 1, a: gy,
          lda: ld, b: col, ldb: ld, beta: 1, c: accW, ldc: k, threads: 1)
      }
    }
    if let gx = gradX {
      if let inputGemm {
        inputGemm.multiply(gy: gy, ld: ld, into: col, buffer: panels)
      } else {
        Gemm.sgemm(
          backend: backend, transA: true, transB: false, m: k, n: ld, k: o, alpha: 1, a: weight,
          lda: k, b: gy, ldb: ld, beta: 0, c: col, ldc: ld, threads: 1)
      }
      let dst = gx + first * sampleIn
      dst.update(repeating: 0, count: count * sampleIn)
      col2im(g, col: col, ld: ld, samples: count, channels: 0..<g.inChannels, x: dst)
    }
  }

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

extension Conv2dKernels {
  /// Splits a (channels × samples) job into a few disjoint blocks run concurrently when `work`
  /// (the total cost) is large enough: by channels when there are enough, else by samples
  /// (a first layer has one to three input channels).
  static func blocks(
    _ channels: Int, _ samples: Int, work: Int, _ body: (Range<Int>, Range<Int>) -> Void
  ) {
    let wanted = 2 * Parallel.threadCount
    if wanted < 2 || work < 1 << 15 {
      body(0..<channels, 0..<samples)
      return
    }
    if channels >= wanted || channels >= samples {
      let pieces = min(channels, wanted)
      Parallel.forEachIndex(pieces, work: work / pieces) { i in
        body((i * channels / pieces)..<((i + 1) * channels / pieces), 0..<samples)
      }
    } else {
      let pieces = min(samples, wanted)
      Parallel.forEachIndex(pieces, work: work / pieces) { i in
        body(0..<channels, (i * samples / pieces)..<((i + 1) * samples / pieces))
      }
    }
  }
}

