/// The backward of `Conv2dKernels`: input, weight and bias gradients by the plan's algorithms,
/// the direct kernels on their own and the column paths together over per-thread chunks.
extension Conv2dKernels {
  /// Gradients of the convolution planned by `plan` (fusion `.none`, or `.relu` with
  /// `reluOutput`, the output y of the fused convolution, where the incoming gradient is first
  /// masked to y > 0: the gradients of relu(conv(x))). `gradX`, `gradW` and `gradB` are
  /// overwritten (the caller accumulates); any of them may be nil when not needed.
  public static func backward(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradY: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
    gradX: UnsafeMutablePointer<Float>?, gradW: UnsafeMutablePointer<Float>?,
    gradB: UnsafeMutablePointer<Float>?
  ) {
    precondition(
      plan.fusion == (reluOutput == nil ? .none : .relu),
      "Conv2dKernels.backward: a \(plan.fusion) plan with\(reluOutput == nil ? "out" : "") a ReLU output")
    backward(
      plan, x: x, weight: weight, source: .dense(gradY, mask: reluOutput), gradX: gradX,
      gradW: gradW, gradB: gradB)
  }

  /// `backward` routed by `ConvRouting.plan(g, fusion: reluOutput == nil ? .none : .relu,
  /// policy: policy)`.
  public static func backward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradY: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
    gradX: UnsafeMutablePointer<Float>?, gradW: UnsafeMutablePointer<Float>?,
    gradB: UnsafeMutablePointer<Float>?, policy: ConvPolicy = .current
  ) {
    backward(
      ConvRouting.plan(g, fusion: reluOutput == nil ? .none : .relu, policy: policy), x: x,
      weight: weight, gradY: gradY, reluOutput: reluOutput, gradX: gradX, gradW: gradW,
      gradB: gradB)
  }

  /// Gradients of max-pool(relu(conv(x))) planned by `plan` (fusion `.reluMaxPool`), from the
  /// pooled output's gradient: each chunk expands its samples' gradient planes from `pooled`
  /// into its own buffer, so the full-size gradient at the convolution's output is never
  /// materialised.
  public static func backward(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    pooled: PooledReLUGradient, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?
  ) {
    precondition(plan.fusion == .reluMaxPool, "Conv2dKernels.backward: a pooled gradient for a \(plan.fusion) plan")
    backward(plan, x: x, weight: weight, source: .pooled(pooled), gradX: gradX, gradW: gradW, gradB: gradB)
  }

  /// `backward(_:x:weight:pooled:…)` routed by `ConvRouting.plan(g, fusion: .reluMaxPool,
  /// policy: policy)`.
  public static func backward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    pooled: PooledReLUGradient, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?,
    policy: ConvPolicy = .current
  ) {
    backward(
      ConvRouting.plan(g, fusion: .reluMaxPool, policy: policy), x: x, weight: weight,
      pooled: pooled, gradX: gradX, gradW: gradW, gradB: gradB)
  }

  /// Where a backward pass reads the gradient at the convolution's output.
  enum GradientSource {
    /// [N, O, OH, OW], masked to where `mask` (a fused ReLU's output) is positive when given.
    case dense(UnsafePointer<Float>, mask: UnsafePointer<Float>?)
    /// The gradient of a max-pool over the (ReLU'd) output.
    case pooled(PooledReLUGradient)
  }

  /// Runs the direct passes the plan names on their own, then the rest in one pass over chunks.
  @inline(never)
  static func backward(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    source: GradientSource, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?
  ) {
    let g = plan.shape
    var chunkX = gradX
    if let gx = gradX, plan.inputGradient == .direct, case .dense(let gy, mask: nil) = source {
      ConvDirectForward.inputGradient(g, weight: weight, gradY: gy, gradX: gx)
      chunkX = nil
    }
    if let gw = gradW, plan.weightGradient == .direct, case .dense(let gy, mask: nil) = source {
      backwardChunks(plan, x: x, weight: weight, source: source, gradX: chunkX, gradW: nil, gradB: nil)
      // The direct kernel computes the bias gradient with the weight gradient.
      directWeightGradient(g, x: x, gradY: gy, gradW: gw, gradB: gradB)
      return
    }
    backwardChunks(plan, x: x, weight: weight, source: source, gradX: chunkX, gradW: gradW, gradB: gradB)
  }

  /// The column paths of `backward`, over chunks of samples.
  ///
  /// The batch is cut into chunks of a few samples, handed to the threads whole: each thread
  /// gathers its chunk's gradient and im2col columns into its own cache-sized buffers, runs
  /// single-threaded GEMMs (or the direct weight-gradient kernel) into its own weight-gradient
  /// accumulator and scatters the input gradient of its samples (which no other thread
  /// touches); the accumulators are summed at the end. No barrier inside the loop, no buffer
  /// larger than a chunk.
  static func backwardChunks(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    source: GradientSource, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?
  ) {
    if gradX == nil && gradW == nil && gradB == nil { return }
    let g = plan.shape
    let p = g.positions, k = g.patch, o = g.outChannels
    let threads = Parallel.threadCount
    let chunking = BackwardChunking(g, threads: threads)
    let workers = min(threads, chunking.chunks)
    // Per worker: the chunk's gradient [O, S·P], its columns [K, S·P], and accumulators for
    // the weight gradient (K·O, transposed when K < O) and the bias gradient (O).
    let gyFloats = o * chunking.samples * p
    let colFloats = k * chunking.samples * p
    let accFloats = k * o + o
    // With the Swift GEMM and an input gradient to compute: Wᵀ packed once, shared, plus a
    // B-panel buffer per worker (`ConvInputGradientGemm`); sizes rounded to 64 bytes.
    let prepack = gradX != nil && plan.inputGradient == .columnsPrepacked
    let round16 = { (n: Int) in (n + 15) / 16 * 16 }
    let panelFloats = prepack
      ? round16(ConvInputGradientGemm.panelFloats(o: o, ld: chunking.samples * p)) : 0
    let packedFloats = prepack ? round16(ConvInputGradientGemm.packedFloats(k: k, o: o)) : 0
    let perWorker = round16(gyFloats + colFloats + accFloats) + panelFloats
    let transposedW = plan.weightGradient == .columnsTransposed
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
        for chunk in (share * chunking.chunks / workers)..<((share + 1) * chunking.chunks / workers) {
          let n0 = chunk * chunking.samples
          let cnt = min(chunking.samples, g.batch - n0)
          if cnt <= 0 { continue }
          backwardChunk(
            plan, x: x, weight: weight, source: source, first: n0, count: cnt,
            wantX: gradX, wantW: gradW != nil, wantB: gradB != nil,
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

  /// How `backwardChunks` cuts the batch: chunks of `samples` samples, enough columns per chunk
  /// for an efficient GEMM depth (≥ 256 positions), columns small enough to stay near the core
  /// (≤ 2¹⁸ floats unless one sample needs more), and at least two chunks per thread.
  struct BackwardChunking {
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

  /// One chunk of `backwardChunks` on the calling thread: samples first..<first + count.
  static func backwardChunk(
    _ plan: ConvPlan, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    source: GradientSource, first: Int, count: Int,
    wantX gradX: UnsafeMutablePointer<Float>?, wantW: Bool, wantB: Bool,
    gy gyBuffer: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>,
    accW: UnsafeMutablePointer<Float>, accB: UnsafeMutablePointer<Float>,
    inputGemm: ConvInputGradientGemm?, panels: UnsafeMutablePointer<Float>
  ) {
    let g = plan.shape
    let p = g.positions, k = g.patch, o = g.outChannels
    let ld = count * p
    let sampleIn = g.inChannels * g.height * g.width
    let backend = plan.gemm
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
    switch plan.weightGradient {
    case _ where !wantW: break
    case .directChunks, .direct:
      // (`.direct` runs on its own in `backward` and never reaches the chunks.)
      ConvWeightGradientDirect.accumulate(
        g, x: x + first * sampleIn, samples: count, gy: gy, sampleStride: p, rowStride: ld,
        gradW: accW, gradB: nil)
    case .columns, .columnsTransposed:
      im2col(
        g, x: x + first * sampleIn, samples: count, channels: 0..<g.inChannels, col: col, ld: ld)
      if plan.weightGradient == .columnsTransposed {
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
}
