import Dispatch
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

  /// y[N, O, OH, OW] = conv(x[N, C, H, W], weight[O, C, kh, kw]) + bias[O].
  @inline(never)
  public static func forward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    let p = g.positions
    let k = g.patch
    let o = g.outChannels
    let nb = chunkSize(g)
    Scratch.withBuffer(k * nb * p) { col in
      Scratch.withBuffer(o * nb * p) { out in
        forwardChunks(g, x: x, weight: weight, bias: bias, y: y, col: col, out: out)
      }
    }
  }

  static func forwardChunks(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>,
    out: UnsafeMutablePointer<Float>
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
      perSample(cnt, work: k * p) { s in
        im2col(g, x: x + (base + s) * sampleIn, col: col + s * p, ld: ld)
      }
      Gemm.sgemm(
        transA: false, transB: false, m: o, n: ld, k: k, alpha: 1, a: weight, lda: k, b: col,
        ldb: ld, beta: 0, c: out, ldc: ld)
      perSample(cnt, work: o * p) { s in
        let dst = y + (base + s) * o * p
        for oc in 0..<o {
          let src = out + oc * ld + s * p
          let d = dst + oc * p
          let bv = bias?[oc] ?? 0
          for i in 0..<p { d[i] = src[i] + bv }
        }
      }
      n0 += cnt
    }
  }

  /// Gradients of the convolution. `gradX` is overwritten; `gradW` and `gradB` are overwritten
  /// too (the caller accumulates). Any of them may be nil when not needed.
  @inline(never)
  public static func backward(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradY: UnsafePointer<Float>, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, gradB: UnsafeMutablePointer<Float>?
  ) {
    let p = g.positions
    let k = g.patch
    let o = g.outChannels
    let nb = chunkSize(g)
    if let gb = gradB {
      gb.update(repeating: 0, count: o)
      for n in 0..<g.batch {
        for oc in 0..<o {
          let src = gradY + (n * o + oc) * p
          var s: Float = 0
          for i in 0..<p { s += src[i] }
          gb[oc] += s
        }
      }
    }
    if gradX == nil && gradW == nil { return }
    Scratch.withBuffer(k * nb * p) { col in
      Scratch.withBuffer(o * nb * p) { gy in
        backwardChunks(g, x: x, weight: weight, gradY: gradY, gradX: gradX, gradW: gradW, col: col, gy: gy)
      }
    }
  }

  static func backwardChunks(
    _ g: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradY: UnsafePointer<Float>, gradX: UnsafeMutablePointer<Float>?,
    gradW: UnsafeMutablePointer<Float>?, col: UnsafeMutablePointer<Float>,
    gy: UnsafeMutablePointer<Float>
  ) {
    let p = g.positions
    let k = g.patch
    let o = g.outChannels
    let nb = chunkSize(g)
    let sampleIn = g.inChannels * g.height * g.width
    if let gx = gradX { gx.update(repeating: 0, count: g.batch * sampleIn) }
    var n0 = 0
    while n0 < g.batch {
      let cnt = min(nb, g.batch - n0)
      let ld = cnt * p
      let base = n0
      perSample(cnt, work: o * p) { s in
        let src = gradY + (base + s) * o * p
        for oc in 0..<o {
          (gy + oc * ld + s * p).update(from: src + oc * p, count: p)
        }
      }
      if let gw = gradW {
        perSample(cnt, work: k * p) { s in
          im2col(g, x: x + (base + s) * sampleIn, col: col + s * p, ld: ld)
        }
        Gemm.sgemm(
          transA: false, transB: true, m: o, n: k, k: ld, alpha: 1, a: gy, lda: ld, b: col,
          ldb: ld, beta: n0 == 0 ? 0 : 1, c: gw, ldc: k)
      }
      if let gx = gradX {
        Gemm.sgemm(
          transA: true, transB: false, m: k, n: ld, k: o, alpha: 1, a: weight, lda: k, b: gy,
          ldb: ld, beta: 0, c: col, ldc: ld)
        perSample(cnt, work: k * p) { s in
          col2im(g, col: col + s * p, ld: ld, x: gx + (base + s) * sampleIn)
        }
      }
      n0 += cnt
    }
  }

  /// Writes one sample's patches as columns: col[(c·kh + i)·kw + j, position] (row stride `ld`).
  @inline(never)
  public static func im2col(
    _ g: Conv2dShape, x: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>, ld: Int
  ) {
    let oh = g.outH
    let ow = g.outW
    let s = g.stride
    let pad = g.padding
    for c in 0..<g.inChannels {
      let plane = x + c * g.height * g.width
      for ki in 0..<g.kernelH {
        for kj in 0..<g.kernelW {
          let row = col + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
          // Output columns whose input column lies inside the image: [lo, hi).
          let lo = min(ow, max(0, (pad - kj + s - 1) / s))
          let hi = max(lo, min(ow, (g.width + pad - kj + s - 1) / s))
          for r in 0..<oh {
            let dst = row + r * ow
            let ih = r * s - pad + ki
            if ih < 0 || ih >= g.height {
              dst.update(repeating: 0, count: ow)
              continue
            }
            let src = plane + ih * g.width - pad + kj
            for q in 0..<lo { dst[q] = 0 }
            if s == 1 {
              if hi > lo { (dst + lo).update(from: src + lo, count: hi - lo) }
            } else {
              for q in lo..<hi { dst[q] = src[q * s] }
            }
            for q in hi..<ow { dst[q] = 0 }
          }
        }
      }
    }
  }

  /// Adds one sample's column gradients back onto its input gradient (im2col's adjoint).
  @inline(never)
  public static func col2im(
    _ g: Conv2dShape, col: UnsafePointer<Float>, ld: Int, x: UnsafeMutablePointer<Float>
  ) {
    let oh = g.outH
    let ow = g.outW
    let s = g.stride
    let pad = g.padding
    for c in 0..<g.inChannels {
      let plane = x + c * g.height * g.width
      for ki in 0..<g.kernelH {
        for kj in 0..<g.kernelW {
          let row = col + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
          let lo = min(ow, max(0, (pad - kj + s - 1) / s))
          let hi = max(lo, min(ow, (g.width + pad - kj + s - 1) / s))
          if hi <= lo { continue }
          for r in 0..<oh {
            let ih = r * s - pad + ki
            if ih < 0 || ih >= g.height { continue }
            let src = row + r * ow
            let dst = plane + ih * g.width - pad + kj
            if s == 1 {
              for q in lo..<hi { dst[q] += src[q] }
            } else {
              for q in lo..<hi { dst[q * s] += src[q] }
            }
          }
        }
      }
    }
  }

  /// Runs `body(s)` for s in 0..<count, split into a few contiguous chunks run on both cores
  /// when there is enough work (`work` estimates the cost of one index).
  static func perSample(_ count: Int, work: Int, _ body: (Int) -> Void) {
    let cores = System.activeCores
    if cores < 2 || count < 2 || count * work < 1 << 15 {
      for s in 0..<count { body(s) }
      return
    }
    let chunks = min(count, 2 * cores)
    withoutActuallyEscaping(body) { b in
      let box = UncheckedBody(b)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        for s in (c * count / chunks)..<((c + 1) * count / chunks) { box.call(s) }
      }
    }
  }
}

/// What the kernels need to know about the machine.
enum System {
  /// Cores this process may use.
  static let activeCores = ProcessInfo.processInfo.activeProcessorCount
}

/// Carries a non-Sendable loop body into `concurrentPerform`; safe because every caller's body
/// writes disjoint memory per index and the call returns only after all iterations finish.
struct UncheckedBody: @unchecked Sendable {
  let call: (Int) -> Void
  init(_ call: @escaping (Int) -> Void) { self.call = call }
}
