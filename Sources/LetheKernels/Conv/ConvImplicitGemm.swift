/// Convolution forward as an implicit GEMM: y_s[O, P] = W[O, K] · col_s[K, P] for each sample s,
/// where the B panels are packed straight from the NCHW image (im2col happens inside packing,
/// into a per-worker buffer that stays in L2) and the micro-kernel writes C tiles straight into
/// y's NCHW planes (row stride P). No im2col matrix, no GEMM-layout output, no copy back.
///
/// Built from the GEMM's pieces (`GemmPacking.packA`, `GemmMicroKernel`); the blocking follows
/// `GemmSwiftDriver`: the weights are packed once into 12-row panels for every depth block, and
/// work items (runs of ≤ `ncMax`/32 panels of 32 output positions, numbered across the batch) are
/// spread over the threads.
enum ConvImplicitGemm {
  /// Steps of k per packed block.
  static let kcMax = 384
  /// Most output positions per work item (its packed B chunk is kcMax · ncMax floats, for L2).
  static let ncMax = 768

  /// Whether the implicit path suits `g`: whole-sample tiles waste too much of a 32-wide tile
  /// on planes of fewer than 48 positions (ResNet's 4×4 layer goes the im2col way).
  static func suits(_ g: Conv2dShape) -> Bool { g.positions >= 48 }

  /// y = conv(x, weight) + bias, then max(·, 0) when `relu`; y is [N, O, OH, OW].
  static func forward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>
  ) {
    let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
    let o = g.outChannels, k = g.patch, p = g.positions
    let mPad = (o + mr - 1) / mr * mr
    let aPanels = mPad / mr
    let samplePanels = (p + nr - 1) / nr
    // Panels are numbered across the batch (panel g is panel g % samplePanels of sample
    // g / samplePanels); an item is a run of ≤ ncMax/32 of them, at least two items per thread.
    let totalPanels = g.batch * samplePanels
    let threads = Parallel.threadCount
    let wanted = threads == 1 ? 1 : 2 * threads
    let items = max(min(totalPanels, wanted), (totalPanels * nr + ncMax - 1) / ncMax)
    let chunkPanels = (totalPanels + items - 1) / items
    let kc0 = min(kcMax, k)
    let segments = PanelSegments(g)
    Scratch.withBuffer(mPad * k) { packedA in
      // Depth block d0..<d1 of the weights lives at packedA + d0·mPad, as 12-row panels.
      GemmPacking.packDepthBlocks(weight, rows: o, k: k, kc0: kc0, into: packedA)
      let perWorker = chunkPanels * panelStride(kc0)
      Scratch.withBuffer(perWorker * min(threads, items)) { packedB in
        Parallel.forEachWorker(count: items, threads: threads) { item, worker in
          let first = item * chunkPanels
          let last = min(first + chunkPanels, totalPanels)
          if first >= last { return }
          let buf = packedB + worker * perWorker
          for d0 in stride(from: 0, to: k, by: kc0) {
            let kc = min(kc0, k - d0)
            packImage(
              g, x, panels: first..<last, samplePanels: samplePanels, depth: d0..<d0 + kc,
              segments, into: buf)
            let beta: Float = d0 == 0 ? 0 : 1
            for ap in 0..<aPanels {
              let a = UnsafePointer(packedA + d0 * mPad + ap * mr * kc)
              let i = ap * mr
              let rows = min(mr, o - i)
              for gp in first..<last {
                let s = gp / samplePanels
                let col = (gp - s * samplePanels) * nr
                let cols = min(nr, p - col)
                let b = UnsafePointer(buf + (gp - first) * panelStride(kc))
                let c = y + (s * o + i) * p + col
                GemmMicroKernel.tile(
                  kc: kc, a: a, b: b, c: c, ldc: p, rows: rows, cols: cols, beta: beta, next: c)
              }
            }
          }
          if bias != nil || relu {
            for gp in first..<last {
              let s = gp / samplePanels
              let col = (gp - s * samplePanels) * nr
              epilogue(
                y + s * o * p, o: o, p: p, columns: col..<min(col + nr, p), bias: bias, relu: relu)
            }
          }
        }
      }
    }
  }

  /// Floats from one packed B panel to the next: 32·kc plus a 128-byte skew, so that the
  /// panels (written row by row across all of them) do not fall on the same cache sets.
  @inline(__always)
  static func panelStride(_ kc: Int) -> Int { GemmMicroKernel.nr * kc + 32 }

  /// Adds the bias and applies ReLU over `columns` of every output channel of one sample.
  static func epilogue(
    _ ys: UnsafeMutablePointer<Float>, o: Int, p: Int, columns: Range<Int>,
    bias: UnsafePointer<Float>?, relu: Bool
  ) {
    if bias == nil && !relu { return }
    let n = columns.count
    for oc in 0..<o {
      let row = ys + oc * p + columns.lowerBound
      let bv = bias?[oc] ?? 0
      if relu {
        for j in 0..<n { row[j] = Swift.max(row[j] + bv, 0) }
      } else {
        for j in 0..<n { row[j] += bv }
      }
    }
  }

  /// Packs rows `depth` × the 32-column panels `panels` (numbered across the batch) of the
  /// im2col matrix into the micro-kernel's B layout: panel gp at dst + (gp − first)·stride,
  /// 32 values per row; positions past a plane are zero. Blocks of 8 rows are the outer loop,
  /// so that the image is read in order (plane row after plane row, which the prefetcher
  /// follows) while each panel still receives 1 KiB of contiguous rows at a time.
  static func packImage(
    _ g: Conv2dShape, _ x: UnsafePointer<Float>, panels: Range<Int>, samplePanels: Int,
    depth: Range<Int>, _ segments: PanelSegments, into dst: UnsafeMutablePointer<Float>
  ) {
    let nr = GemmMicroKernel.nr
    let kc = depth.count
    let panelFloats = panelStride(kc)
    let (kh, kw) = (g.kernelH, g.kernelW)
    let plane = g.height * g.width
    let sampleIn = g.inChannels * plane
    let rowBlock = 8
    // Per row of the block: the channel plane's offset in a sample, and the tap (ki, kj).
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * kc) { table in
      let t = table.baseAddress!
      for kk in 0..<kc {
        let r = depth.lowerBound + kk
        let c = r / (kh * kw)
        let tap = r - c * kh * kw
        t[3 * kk] = c * plane
        t[3 * kk + 1] = tap / kw
        t[3 * kk + 2] = tap % kw
      }
      segments.list.withUnsafeBufferPointer { list in
        for k0 in stride(from: 0, to: kc, by: rowBlock) {
          let k1 = Swift.min(k0 + rowBlock, kc)
          var sample = panels.lowerBound / samplePanels
          var q = panels.lowerBound - sample * samplePanels
          for gp in panels {
            let xs = x + sample * sampleIn
            let panel = dst + (gp - panels.lowerBound) * panelFloats
            let segs = segments.range(panel: q)
            let valid = Swift.min(nr, g.positions - q * nr)
            for kk in k0..<k1 {
              let row = panel + kk * nr
              packRow(
                g, xs + t[3 * kk], ki: t[3 * kk + 1], kj: t[3 * kk + 2], list: list, segs: segs,
                into: row)
              if valid < nr { (row + valid).update(repeating: 0, count: nr - valid) }
            }
            q += 1
            if q == samplePanels {
              q = 0
              sample += 1
            }
          }
        }
      }
    }
  }

  /// One row of one packed panel: the runs `segs` of tap (ki, kj) over the plane `src`.
  @inline(__always)
  static func packRow(
    _ g: Conv2dShape, _ src: UnsafePointer<Float>, ki: Int, kj: Int,
    list: UnsafeBufferPointer<PanelSegments.Segment>, segs: Range<Int>,
    into row: UnsafeMutablePointer<Float>
  ) {
    let (h, w, s) = (g.height, g.width, g.stride)
    for si in segs {
      let sg = list[si]
      let d = row + Int(sg.j)
      let len = Int(sg.len)
      let ih = Int(sg.ih) + ki
      if ih < 0 || ih >= h {
        d.update(repeating: 0, count: len)
        continue
      }
      let line = src + ih * w
      let iw0 = Int(sg.iw) + kj
      if s == 1 {
        if iw0 >= 0 && iw0 + len <= w {
          // Whole runs of one plane row: ResNet's 32-, 16- and 8-wide planes in one go.
          let from = UnsafeRawPointer(line + iw0)
          let to = UnsafeMutableRawPointer(d)
          switch len {
          case 32:
            to.storeBytes(of: from.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            to.storeBytes(
              of: from.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64,
              as: SIMD16<Float>.self)
          case 16:
            to.storeBytes(of: from.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
          case 8:
            to.storeBytes(of: from.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
          default:
            Conv2dKernels.copyRow(line + iw0, d, len)
          }
          continue
        }
        let lo = Swift.min(len, Swift.max(0, -iw0))
        let hi = Swift.max(lo, Swift.min(len, w - iw0))
        for t in 0..<lo { d[t] = 0 }
        Conv2dKernels.copyRow(line + iw0 + lo, d + lo, hi - lo)
        for t in hi..<len { d[t] = 0 }
      } else {
        for t in 0..<len {
          let iw = iw0 + t * s
          d[t] = iw >= 0 && iw < w ? line[iw] : 0
        }
      }
    }
  }
}

/// For every 32-wide panel of output positions in a plane, its runs along output rows: run
/// (j, len, ih, iw) covers panel columns j..<j+len, whose inputs start at row ih + ki and
/// column iw + kj for tap (ki, kj), stepping by the stride.
struct PanelSegments {
  struct Segment {
    var j: Int32
    var len: Int32
    var ih: Int32
    var iw: Int32
  }
  /// All runs, panel after panel.
  let list: [Segment]
  /// list[start[q]..<start[q + 1]] are panel q's runs.
  let start: [Int]

  init(_ g: Conv2dShape) {
    let nr = GemmMicroKernel.nr
    let (ow, p) = (g.outW, g.positions)
    var list: [Segment] = []
    var start: [Int] = [0]
    for q in 0..<(p + nr - 1) / nr {
      var pos = q * nr
      let end = min(p, pos + nr)
      while pos < end {
        let r = pos / ow
        let qc = pos - r * ow
        let len = min(ow - qc, end - pos)
        list.append(
          Segment(
            j: Int32(pos - q * nr), len: Int32(len), ih: Int32(r * g.stride - g.padding),
            iw: Int32(qc * g.stride - g.padding)))
        pos += len
      }
      start.append(list.count)
    }
    self.list = list
    self.start = start
  }

  func range(panel q: Int) -> Range<Int> { start[q]..<start[q + 1] }
}
