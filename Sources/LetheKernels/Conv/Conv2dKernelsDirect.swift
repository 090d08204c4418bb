/// The whole-batch direct weight gradient (`ConvWeightGradientAlgorithm.direct`).
extension Conv2dKernels {
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
}
