import Synchronization
import Foundation

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

