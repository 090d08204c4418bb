/// The convolution kernels' entry points: each executes the algorithm its `ConvPlan` names
/// (`ConvRouting` chooses them). This file holds the forward and the im2col path (im2col over a
/// chunk of samples side by side, one large `Gemm.sgemm` per chunk); the backward is in
/// `Conv2dKernelsBackward.swift`, the whole-batch direct weight gradient in
/// `Conv2dKernelsDirect.swift`.
public enum Conv2dKernels {
  /// Floats of im2col scratch per chunk: big enough for efficient GEMMs, small enough to stay
  /// in the last-level cache on typical layers.
  static let columnBudget = 1 << 21

  static func chunkSize(_ g: Conv2dShape) -> Int {
    max(1, min(g.batch, columnBudget / max(1, g.patch * g.positions)))
  }

  /// y[N, O, OH, OW] = conv(x[N, C, H, W], weight[O, C, kh, kw]) + bias[O], followed by
  /// max(·, 0) when the plan's fusion includes the ReLU, by the plan's forward algorithm (which
  /// must write a dense output: not `.directWidened`, see `forwardRows`).
  @inline(never)
  public static func forward(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    let g = plan.shape, relu = plan.fusion != .none
    switch plan.forward {
    case .direct:
      ConvDirectForward.forward(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
    case .implicitGemm:
      ConvImplicitGemm.forward(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
    case .im2col:
      forwardIm2col(g, x: x, weight: weight, bias: bias, relu: relu, y: y, backend: plan.gemm)
    case .directWidened:
      preconditionFailure("Conv2dKernels.forward: a widened plan writes rows (use forwardRows)")
    }
  }

  /// `forward` routed by `ConvRouting.plan(g, fusion: relu ? .relu : .none, policy: policy)`.
  public static func forward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool = false, y: UnsafeMutablePointer<Float>,
    policy: ConvPolicy = .current
  ) {
    forward(
      ConvRouting.plan(g, fusion: relu ? .relu : .none, policy: policy), x: x, weight: weight,
      bias: bias, y: y)
  }

  /// Floats that `forwardRows` may write for `g`: N·O·OH rows of max(OW, W) floats.
  public static func rowsOutputCount(_ g: Conv2dShape) -> Int {
    g.batch * g.outChannels * g.outH * max(g.outW, g.width)
  }

  /// The forward (see `forward`) for a consumer that reads the output a row at a time: returns
  /// the row stride it used, OW, or the input's width W when the plan is `.directWidened`
  /// (columns OW..<W of each row are then not outputs). `y` holds `rowsOutputCount(g)` floats.
  ///
  /// `samplesDone(samples, rowStride)`, when given, is called once per run of samples whose
  /// outputs are final — by the widened kernel from its worker threads as each work item
  /// finishes (while the outputs are still in cache), else once with all samples — and must
  /// touch only those samples' outputs (parallel kernels it calls run serially there).
  @discardableResult
  public static func forwardRows(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
    samplesDone: ((Range<Int>, Int) -> Void)? = nil
  ) -> Int {
    let g = plan.shape
    if plan.forward == .directWidened {
      ConvDirectForward.forwardWidened(
        g, x: x, weight: weight, bias: bias, relu: plan.fusion != .none, y: y,
        samplesDone: samplesDone.map { done in { done($0, g.width) } })
      return g.width
    }
    forward(plan, x: x, weight: weight, bias: bias, y: y)
    samplesDone?(0..<g.batch, g.outW)
    return g.outW
  }

  /// `forwardRows` routed by `ConvRouting.plan(g, fusion: .reluMaxPool, policy: policy)`: the
  /// ReLU included.
  @discardableResult
  public static func forwardRows(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, policy: ConvPolicy = .current
  ) -> Int {
    forwardRows(
      ConvRouting.plan(g, fusion: .reluMaxPool, policy: policy), x: x, weight: weight, bias: bias,
      y: y)
  }

  /// The im2col forward (see `forward`).
  @inline(never)
  public static func forwardIm2col(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool = false, y: UnsafeMutablePointer<Float>,
    backend: Gemm.Backend = Gemm.backend
  ) {
    let p = g.positions
    let k = g.patch
    let o = g.outChannels
    let nb = chunkSize(g)
    Scratch.withBuffer(k * nb * p) { col in
      Scratch.withBuffer(o * nb * p) { out in
        forwardChunks(
          g, x: x, weight: weight, bias: bias, relu: relu, y: y, col: col, out: out, backend: backend)
      }
    }
  }

  static func forwardChunks(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>,
    col: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, backend: Gemm.Backend
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
        backend: backend, transA: false, transB: false, m: o, n: ld, k: k, alpha: 1, a: weight, lda: k, b: col,
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

