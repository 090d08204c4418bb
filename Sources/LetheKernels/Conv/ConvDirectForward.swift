import CLetheKernels

/// Convolution forward for "same" stride-1 convolutions (output plane = input plane, as in all of
/// ResNet-18's 3×3 pad-1 convolutions but the downsampling ones) without packing the image: the
/// micro-kernel reads its B operand straight from x. A 32-wide tile of output positions is 32
/// consecutive positions of one plane, and since the output plane has the input's width, tap
/// (c, ki, kj) of those positions is 32 consecutive input floats at a fixed offset; lanes whose
/// input falls into the padding (or wraps to the next row) are masked to zero by AVX-512 masked
/// loads, which never touch the masked-out memory. The weights are packed into 12-row panels
/// as for the GEMM (`GemmPacking.packDepthBlocks`). Planes of 16 positions use two-sample
/// tiles; stride-1 convolutions narrower than their input can run with output rows of the
/// input's width (`forwardWidened`).
///
/// Also computes the input gradient of such a convolution (`inputGradient`): for stride 1 and
/// "same" padding it is the same convolution of the output gradient with the weights transposed
/// and flipped, so neither columns nor col2im are needed.
enum ConvDirectForward {
  /// Offset of a tap's 32 inputs from the tile's first position, and the lanes to load.
  struct Tap {
    var offset: Int32
    var mask: UInt32
  }

  /// Whether `g` is a stride-1 convolution whose output plane equals its input plane (odd
  /// kernels, padding (k − 1)/2), with whole 32-position tiles per plane or planes of 16
  /// positions (ResNet's 4×4 layer: a tile then holds two samples).
  static func suits(_ g: Conv2dShape) -> Bool {
    g.stride == 1 && g.outH == g.height && g.outW == g.width
      && (g.positions % 32 == 0 || g.positions == 16)
  }

  /// Whether `forwardWidened` suits `g`: stride 1 and an output no wider than the input.
  static func suitsWidened(_ g: Conv2dShape) -> Bool {
    g.stride == 1 && g.outW <= g.width && g.outH * g.width >= 32
  }

  /// Depth per block: K cut into equal blocks of at most `ConvImplicitGemm.kcMax`.
  static func depthBlock(_ k: Int) -> Int {
    let blocks = (k + ConvImplicitGemm.kcMax - 1) / ConvImplicitGemm.kcMax
    return (k + blocks - 1) / blocks
  }

  /// y = conv(x, weight) + bias, then max(·, 0) when `relu`; requires `suits(g)`.
  static func forward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>
  ) {
    forwardWidened(g, x: x, weight: weight, bias: bias, relu: relu, y: y)
  }

  /// The convolution of a stride-1 `g` (`suitsWidened`) with output rows as wide as the input's:
  /// y is [N, O, OH, W] and its columns OW..<W hold values that belong to no output (for a
  /// "same" convolution there are none). Output position (oh, ow) then reads tap (ki, kj) at
  /// (oh·W + ow) + (ki − p)·W + (kj − p) for every ow, so a tile's inputs stay contiguous.
  /// With `samplesDone`, work items are runs of whole samples, and each calls it with its
  /// samples once their outputs are final (a consumer then reads them while they are in cache).
  static func forwardWidened(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>,
    samplesDone: ((Range<Int>) -> Void)? = nil
  ) {
    let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
    let o = g.outChannels, k = g.patch
    let p = g.outH * g.width, sampleIn = g.inChannels * g.height * g.width
    let mPad = (o + mr - 1) / mr * mr
    // Planes of 16 positions: tile gp is samples 2gp and 2gp + 1, its second half read and
    // written one sample further on.
    let pairs = p == 16 && g.outW == g.width
    let samplePanels = pairs ? 1 : (p + nr - 1) / nr
    let totalPanels = pairs ? (g.batch + 1) / 2 : g.batch * samplePanels
    let (xHalf, yHalf) = pairs ? (sampleIn, o * p) : (16, 16)
    let kc0 = depthBlock(k)
    let classes = TapClasses(g, pairs: pairs)
    let threads = Parallel.threadCount
    // Work items: runs of panels whose inputs and outputs (C + O floats per position) take
    // about 1 MiB, so that they stay in L2 across the weight panels and depth blocks; at least
    // two per thread.
    let perItem = max(4, (1 << 18) / ((g.inChannels + o) * nr))
    var items = max(min(totalPanels, 2 * threads), (totalPanels + perItem - 1) / perItem)
    // Items of whole samples for `samplesDone`: item i is samples i·N/items..<(i + 1)·N/items.
    let wholeSamples = samplesDone != nil && !pairs
    if wholeSamples { items = min(items, g.batch) }
    Scratch.withBuffer(mPad * k) { packedA in
      GemmPacking.packDepthBlocks(weight, rows: o, k: k, kc0: kc0, into: packedA)
      classes.table.withUnsafeBufferPointer { table in
        Parallel.forEachWorker(count: items, threads: threads) { item, _ in
          let first = wholeSamples ? item * g.batch / items * samplePanels : item * totalPanels / items
          let last =
            wholeSamples ? (item + 1) * g.batch / items * samplePanels : (item + 1) * totalPanels / items
          for d0 in stride(from: 0, to: k, by: kc0) {
            let kc = min(kc0, k - d0)
            let beta: Float = d0 == 0 ? 0 : 1
            for ap in 0..<(mPad / mr) {
              let a = UnsafePointer(packedA + d0 * mPad + ap * mr * kc)
              let i = ap * mr
              let rows = min(mr, o - i)
              for gp in first..<last {
                let s = pairs ? 2 * gp : gp / samplePanels
                let q = pairs ? 0 : gp - s * samplePanels
                let col = q * nr
                // A lone last sample of a pair: the half class masks the second half out.
                let lone = pairs && s + 1 == g.batch
                let taps = table.baseAddress! + classes.start(panel: lone ? 1 : q) + d0
                let xs = x + s * sampleIn + col
                let c = y + (s * o + i) * p + col
                tile(
                  kc: kc, a: a, x: xs, taps: taps, c: c, ldc: p, rows: rows,
                  cols: pairs ? (lone ? 16 : nr) : min(nr, p - col), beta: beta, xHalf: xHalf,
                  yHalf: yHalf)
              }
            }
          }
          if bias != nil || relu {
            for gp in first..<last {
              if pairs {
                for s in 2 * gp..<min(2 * gp + 2, g.batch) {
                  ConvImplicitGemm.epilogue(
                    y + s * o * p, o: o, p: p, columns: 0..<p, bias: bias, relu: relu)
                }
                continue
              }
              let s = gp / samplePanels
              let col = (gp - s * samplePanels) * nr
              ConvImplicitGemm.epilogue(
                y + s * o * p, o: o, p: p, columns: col..<min(col + nr, p), bias: bias, relu: relu)
            }
          }
          if wholeSamples, let samplesDone {
            samplesDone((item * g.batch / items)..<((item + 1) * g.batch / items))
          }
        }
      }
    }
  }

  /// The input gradient of a convolution that `suits`: gradX = conv(gradY, W̃) with
  /// W̃[c, o, i, j] = W[o, c, kh−1−i, kw−1−j] (same padding, stride 1). gradX is overwritten.
  static func inputGradient(
    _ g: Conv2dShape, weight: UnsafePointer<Float>, gradY: UnsafePointer<Float>,
    gradX: UnsafeMutablePointer<Float>
  ) {
    let o = g.outChannels, c = g.inChannels, taps = g.kernelH * g.kernelW
    let flipped = Conv2dShape(
      batch: g.batch, inChannels: o, height: g.outH, width: g.outW, outChannels: c,
      kernelH: g.kernelH, kernelW: g.kernelW, stride: 1, padding: g.kernelH - 1 - g.padding)
    Scratch.withBuffer(o * c * taps) { wt in
      for ci in 0..<c {
        for oc in 0..<o {
          let src = weight + (oc * c + ci) * taps
          let dst = wt + (ci * o + oc) * taps
          for t in 0..<taps { dst[t] = src[taps - 1 - t] }
        }
      }
      forward(flipped, x: gradY, weight: wt, bias: nil, relu: false, y: gradX)
    }
  }

  /// C[0..<rows, 0..<cols] (+)= A panel · the taps' inputs, with the 12-, 8- or 4-row kernel,
  /// or the 12-row kernel into scratch for other row counts and partial tiles.
  @inline(__always)
  static func tile(
    kc: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, taps: UnsafePointer<Tap>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int = 32, beta: Float,
    xHalf: Int = 16, yHalf: Int = 16
  ) {
    let nr = GemmMicroKernel.nr
    let h = Halves(x: xHalf, y: yHalf)
    switch (rows, cols) {
    case (12, nr): run12(kc: kc, a: a, x: x, taps: taps, c: c, ldc: ldc, beta: beta, halves: h)
    case (8, nr): run8(kc: kc, a: a, x: x, taps: taps, c: c, ldc: ldc, beta: beta, halves: h)
    case (4, nr): run4(kc: kc, a: a, x: x, taps: taps, c: c, ldc: ldc, beta: beta, halves: h)
    default:
      withUnsafeTemporaryAllocation(of: Float.self, capacity: 12 * nr) { scratch in
        let t = scratch.baseAddress!
        run12(
          kc: kc, a: a, x: x, taps: taps, c: t, ldc: nr, beta: 0, halves: Halves(x: xHalf, y: 16))
        for r in 0..<rows {
          let row = c + r * ldc
          for j in 0..<cols {
            let at = j < 16 ? j : yHalf + j - 16
            row[at] = t[r * nr + j] + (beta == 0 ? 0 : beta * row[at])
          }
        }
      }
    }
  }

  /// Where a tile's second 16 lanes are, from its first: 16 floats on in x and in C, or one
  /// sample on for two-sample tiles.
  struct Halves {
    var x: Int
    var y: Int
  }

  @inline(never)
  static func run12(
    kc: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, taps: UnsafePointer<Tap>,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, halves: Halves
  ) {
    kernel(rows: 12, kc: kc, a: a, x: x, taps: taps, c: c, ldc: ldc, beta: beta, halves: halves)
  }

  @inline(never)
  static func run8(
    kc: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, taps: UnsafePointer<Tap>,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, halves: Halves
  ) {
    kernel(rows: 8, kc: kc, a: a, x: x, taps: taps, c: c, ldc: ldc, beta: beta, halves: halves)
  }

  @inline(never)
  static func run4(
    kc: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, taps: UnsafePointer<Tap>,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, halves: Halves
  ) {
    kernel(rows: 4, kc: kc, a: a, x: x, taps: taps, c: c, ldc: ldc, beta: beta, halves: halves)
  }

  /// The register-blocked kernel for `rows` ∈ {4, 8, 12} (a constant in each caller, so the
  /// unused accumulators fold away): 2·rows SIMD16 accumulators, one masked tap load pair and
  /// `rows` broadcasts per step of k; A panels have stride 12 per step as `GemmMicroKernel`'s.
  @inline(__always)
  static func kernel(
    rows: Int, kc: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>,
    taps: UnsafePointer<Tap>, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float,
    halves: Halves
  ) {
    typealias V = SIMD16<Float>
    let (xHalf, yHalf) = (halves.x, halves.y)
    let mr = GemmMicroKernel.mr
    var acc0 = V(), acc1 = V(), acc2 = V(), acc3 = V(), acc4 = V(), acc5 = V()
    var acc6 = V(), acc7 = V(), acc8 = V(), acc9 = V(), acc10 = V(), acc11 = V()
    var acc12 = V(), acc13 = V(), acc14 = V(), acc15 = V(), acc16 = V(), acc17 = V()
    var acc18 = V(), acc19 = V(), acc20 = V(), acc21 = V(), acc22 = V(), acc23 = V()
    for r in 0..<rows {
      lethe_prefetch_for_write(c + r * ldc)
      lethe_prefetch_for_write(c + r * ldc + yHalf + 15)
    }
    var pa = a
    for t in 0..<kc {
      // The inputs of 8 steps ahead (taps tables carry 8 spare entries at the end).
      let ahead = x + Int(taps[t + 8].offset)
      lethe_prefetch_l1(ahead)
      lethe_prefetch_l1(ahead + xHalf + 15)
      let tap = taps[t]
      let src = x + Int(tap.offset)
      let b0 = lethe_load16_masked(src, UInt16(truncatingIfNeeded: tap.mask))
      let b1 = lethe_load16_masked(src + xHalf, UInt16(truncatingIfNeeded: tap.mask >> 16))
      var v = V(repeating: pa[0])
      acc0.addProduct(v, b0); acc1.addProduct(v, b1)
      v = V(repeating: pa[1])
      acc2.addProduct(v, b0); acc3.addProduct(v, b1)
      v = V(repeating: pa[2])
      acc4.addProduct(v, b0); acc5.addProduct(v, b1)
      v = V(repeating: pa[3])
      acc6.addProduct(v, b0); acc7.addProduct(v, b1)
      if rows > 4 {
        v = V(repeating: pa[4])
        acc8.addProduct(v, b0); acc9.addProduct(v, b1)
        v = V(repeating: pa[5])
        acc10.addProduct(v, b0); acc11.addProduct(v, b1)
        v = V(repeating: pa[6])
        acc12.addProduct(v, b0); acc13.addProduct(v, b1)
        v = V(repeating: pa[7])
        acc14.addProduct(v, b0); acc15.addProduct(v, b1)
      }
      if rows > 8 {
        v = V(repeating: pa[8])
        acc16.addProduct(v, b0); acc17.addProduct(v, b1)
        v = V(repeating: pa[9])
        acc18.addProduct(v, b0); acc19.addProduct(v, b1)
        v = V(repeating: pa[10])
        acc20.addProduct(v, b0); acc21.addProduct(v, b1)
        v = V(repeating: pa[11])
        acc22.addProduct(v, b0); acc23.addProduct(v, b1)
      }
      pa += mr
    }
    let vb = V(repeating: beta)
    @inline(__always) func put(_ v0: V, _ v1: V, _ r: Int) {
      let raw = UnsafeMutableRawPointer(c + r * ldc)
      let raw1 = UnsafeMutableRawPointer(c + r * ldc + yHalf)
      if beta == 0 {
        raw.storeBytes(of: v0, as: V.self)
        raw1.storeBytes(of: v1, as: V.self)
      } else {
        raw.storeBytes(of: v0.addingProduct(vb, raw.loadUnaligned(as: V.self)), as: V.self)
        raw1.storeBytes(of: v1.addingProduct(vb, raw1.loadUnaligned(as: V.self)), as: V.self)
      }
    }
    put(acc0, acc1, 0)
    put(acc2, acc3, 1)
    put(acc4, acc5, 2)
    put(acc6, acc7, 3)
    if rows > 4 {
      put(acc8, acc9, 4)
      put(acc10, acc11, 5)
      put(acc12, acc13, 6)
      put(acc14, acc15, 7)
    }
    if rows > 8 {
      put(acc16, acc17, 8)
      put(acc18, acc19, 9)
      put(acc20, acc21, 10)
      put(acc22, acc23, 11)
    }
  }

  /// The tap tables of a convolution: one table of K (+ 8 spare) taps per class of 32-position
  /// tiles that share their masks (a plane's first rows, its inner rows, its last rows).
  struct TapClasses {
    /// All tables, one after another.
    let table: [Tap]
    /// Index of the first entry of tile q's table.
    let tableStart: [Int]

    /// With `pairs` (planes of 16 positions), class 0 is a two-sample tile and class 1 a lone
    /// sample (second half masked out).
    init(_ g: Conv2dShape, pairs: Bool = false) {
      let nr = GemmMicroKernel.nr
      let (h, w, kh, kw, pad) = (g.height, g.width, g.kernelH, g.kernelW, g.padding)
      let k = g.patch, plane = h * w, positions = g.outH * w
      var table: [Tap] = []
      var starts: [Int] = []
      var seen: [[UInt32]: Int] = [:]
      let tiles = pairs ? 2 : (positions + nr - 1) / nr
      for q in 0..<tiles {
        // Lane l of tile q is position q·32 + l = (oh, ow); tap (ki, kj) reads row oh + ki − pad
        // and column ow + kj − pad.
        var masks: [UInt32] = []
        for ki in 0..<kh {
          for kj in 0..<kw {
            var m: UInt32 = 0
            for l in 0..<nr {
              var pos = q * nr + l
              if pairs {
                if q == 1 && l >= 16 { continue }
                pos = l % 16
              }
              if pos >= positions { continue }
              let ih = pos / w + ki - pad, iw = pos % w + kj - pad
              if ih >= 0 && ih < h && iw >= 0 && iw < w { m |= 1 << UInt32(l) }
            }
            masks.append(m)
          }
        }
        if let known = seen[masks] {
          starts.append(known)
          continue
        }
        let start = table.count
        seen[masks] = start
        starts.append(start)
        for r in 0..<k {
          let ci = r / (kh * kw), tap = r % (kh * kw)
          let ki = tap / kw, kj = tap % kw
          table.append(
            Tap(offset: Int32(ci * plane + (ki - pad) * w + (kj - pad)), mask: masks[tap]))
        }
        table.append(contentsOf: repeatElement(Tap(offset: 0, mask: 0), count: 8))
      }
      self.table = table
      self.tableStart = starts
    }

    @inline(__always)
    func start(panel q: Int) -> Int { tableStart[q] }
  }
}
