import Synchronization

/// Which convolutions take the direct kernels (`ConvDirectForward`, `ConvWeightGradientDirect`),
/// and the entry points that exist for them.
extension Conv2dKernels {
  /// Floats that `forwardRows` may write for `g`: N·O·OH rows of max(OW, W) floats.
  public static func rowsOutputCount(_ g: Conv2dShape) -> Int {
    g.batch * g.outChannels * g.outH * max(g.outW, g.width)
  }

  /// The forward (see `forward`) for a consumer that reads the output a row at a time: returns
  /// the row stride it used, OW, or the input's width W when a stride-1 convolution narrower
  /// than its input took the widened direct kernel (`ConvDirectForward.forwardWidened`; columns
  /// OW..<W of each row are then not outputs). `y` holds `rowsOutputCount(g)` floats.
  ///
  /// `samplesDone(samples, rowStride)`, when given, is called once per run of samples whose
  /// outputs are final — by the widened kernel from its worker threads as each work item
  /// finishes (while the outputs are still in cache), else once with all samples — and must
  /// touch only those samples' outputs (parallel kernels it calls run serially there).
  @discardableResult
  public static func forwardRows(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool = false, y: UnsafeMutablePointer<Float>,
    samplesDone: ((Range<Int>, Int) -> Void)? = nil
  ) -> Int {
    if g.outW < g.width && directKernelsEnabled && ConvDirectForward.suitsWidened(g) {
      ConvDirectForward.forwardWidened(
        g, x: x, weight: weight, bias: bias, relu: relu, y: y,
        samplesDone: samplesDone.map { done in { done($0, g.width) } })
      return g.width
    }
    forward(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
    samplesDone?(0..<g.batch, g.outW)
    return g.outW
  }

  /// Whether the direct kernels may run at all: switched on, no forced im2col, the Swift GEMM
  /// backend, an AVX-512 CPU (masked loads and FMAs).
  static var directKernelsEnabled: Bool {
    directConvolution && !forceIm2col && Gemm.backend == .swift && GemmPacking.useAVX512
  }

  /// Whether `g` takes the direct kernels (`ConvDirectForward`): "same" stride-1 convolutions.
  static func useDirect(_ g: Conv2dShape) -> Bool {
    directKernelsEnabled && ConvDirectForward.suits(g)
  }

  /// Whether the weight gradient of `g` comes from `ConvWeightGradientDirect` instead of im2col
  /// columns and a GEMM: the Swift backend on an AVX-512 CPU, and every convolution with a
  /// kernel larger than 1×1 (docs/performance-conv.md). The 1×1 shortcuts stay with the GEMM.
  static func useDirectWeightGradient(_ g: Conv2dShape) -> Bool {
    directKernelsEnabled && g.kernelH * g.kernelW > 1 && g.inChannels > 1
      && ConvWeightGradientDirect.suits(g)
  }

  /// gradW (and gradB) of a convolution from a dense, unmasked output gradient, with
  /// `ConvWeightGradientDirect` over one fixed share of the batch per thread, each share with
  /// its own accumulator (summed in share order, so results do not depend on timing).
  public static func directWeightGradient(
    _ g: Conv2dShape, x: UnsafePointer<Float>, gradY: UnsafePointer<Float>,
    gradW: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?
  ) {
    let o = g.outChannels, k = g.patch, p = g.positions
    let sampleIn = g.inChannels * g.height * g.width
    let threads = min(Parallel.threadCount, g.inChannels)
    if threads > 1 && ConvWeightGradientDirect.splitByChannels(g) {
      // Each thread: every sample, its own input channels, straight into its columns of gradW.
      gradW.update(repeating: 0, count: o * k)
      gradB?.update(repeating: 0, count: o)
      Parallel.forEachWorker(count: threads, threads: threads) { share, _ in
        let c0 = share * g.inChannels / threads, c1 = (share + 1) * g.inChannels / threads
        ConvWeightGradientDirect.accumulate(
          g, x: x, samples: g.batch, gy: gradY, sampleStride: o * p, rowStride: p, gradW: gradW,
          gradB: share == 0 ? gradB : nil, channels: c0..<c1)
      }
      return
    }
    let shares = max(1, min(Parallel.threadCount, g.batch))
    let accFloats = o * k + o
    Scratch.withBuffer(accFloats * shares) { acc in
      acc.update(repeating: 0, count: accFloats * shares)
      Parallel.forEachWorker(count: shares, threads: shares) { share, _ in
        let s0 = share * g.batch / shares, s1 = (share + 1) * g.batch / shares
        let a = acc + share * accFloats
        ConvWeightGradientDirect.accumulate(
          g, x: x + s0 * sampleIn, samples: s1 - s0, gy: gradY + s0 * o * p, sampleStride: o * p,
          rowStride: p, gradW: a, gradB: gradB == nil ? nil : a + o * k)
      }
      gradW.update(from: acc, count: o * k)
      gradB?.update(from: acc + o * k, count: o)
      for share in 1..<shares {
        let a = acc + share * accFloats
        Elementwise.axpy(1, a, gradW, count: o * k)
        if let gb = gradB { Elementwise.axpy(1, a + o * k, gb, count: o) }
      }
    }
  }

  /// When false, no convolution takes the direct kernels (benchmarks time both in one run).
  public static var directConvolution: Bool {
    get { directConvolutionStorage.load(ordering: .relaxed) }
    set { directConvolutionStorage.store(newValue, ordering: .relaxed) }
  }
  private static let directConvolutionStorage = Atomic<Bool>(true)
}
