import Foundation
import XCTest
@testable import LetheKernels

/// The direct weight gradient against a double-precision loop, in both gy layouts, and its
/// reads of x and gy against guard pages.
final class ConvWeightGradientDirectTests: XCTestCase {
  /// (in, out, height, width, kernel h, kernel w, padding, samples).
  static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
    // ResNet-like "same" convolutions (the whole plane is one run of positions).
    (3, 64, 32, 32, 3, 3, 1, 2), (5, 7, 13, 13, 3, 3, 1, 3), (16, 12, 16, 16, 3, 3, 1, 2),
    (64, 4, 8, 8, 3, 3, 1, 3), (64, 12, 4, 4, 3, 3, 1, 5), (16, 1, 5, 5, 3, 3, 1, 2),
    (3, 7, 7, 7, 3, 3, 1, 1), (5, 64, 4, 4, 3, 3, 1, 2), (4, 5, 17, 17, 3, 3, 1, 2),
    // The CNN's valid convolutions (one run per output row: 24 = 16 + 8 lanes) and small odd ones.
    (8, 16, 26, 26, 3, 3, 0, 2), (1, 32, 28, 28, 3, 3, 0, 1), (2, 5, 9, 11, 3, 3, 0, 3),
    (3, 4, 40, 40, 3, 3, 0, 1), (2, 3, 12, 10, 5, 5, 0, 2),
    // Other paddings and kernel sizes: 5×5 same, 1×1, output wider than the input, non-square.
    (3, 7, 12, 10, 5, 5, 2, 2), (4, 8, 15, 15, 1, 1, 0, 2), (4, 6, 9, 7, 1, 1, 1, 2),
    (3, 5, 9, 11, 3, 3, 2, 2), (2, 4, 8, 9, 5, 3, 1, 2), (2, 4, 8, 9, 3, 5, 2, 2),
    (1, 1, 1, 1, 1, 1, 0, 1), (2, 3, 2, 3, 3, 3, 2, 2),
    // Several staged blocks with a partial last one (16×16: 4 samples a block; 8×8: 16).
    (5, 6, 16, 16, 3, 3, 1, 6), (6, 5, 8, 8, 3, 3, 1, 20), (7, 9, 4, 4, 3, 3, 1, 70),
  ]

  func testAgainstDirectLoop() {
    for (index, t) in Self.cases.enumerated() {
      let g = Conv2dShape(
        batch: t.7, inChannels: t.0, height: t.2, width: t.3, outChannels: t.1, kernelH: t.4,
        kernelW: t.5, stride: 1, padding: t.6)
      XCTAssertTrue(ConvWeightGradientDirect.suits(g))
      // Alternate layouts and gradB presence between cases; both layouts for the first few.
      let layouts: [Bool] = index < 4 ? [false, true] : [index % 2 == 1]
      for gathered in layouts {
        check(g, gathered: gathered, withBias: index % 3 != 2, label: "case \(index) \(t)")
      }
    }
  }

  /// Strided convolutions (ResNet's downsampling 3×3 and 1×1, odd sizes, stride 3), more than
  /// one block of 64 output channels with a partial last one, and several staged blocks.
  func testStridedAndWide() {
    // (in, out, height, width, kernel, stride, padding, samples)
    let cases = [
      (4, 6, 9, 9, 3, 2, 1, 2), (3, 5, 8, 8, 3, 2, 1, 3), (5, 4, 11, 7, 3, 2, 0, 2),
      (6, 8, 8, 8, 1, 2, 0, 2), (2, 3, 10, 10, 3, 3, 1, 2), (3, 80, 6, 6, 3, 1, 1, 2),
      (7, 130, 4, 4, 3, 2, 1, 3), (9, 20, 4, 4, 3, 1, 1, 200),
    ]
    for (index, t) in cases.enumerated() {
      let g = Conv2dShape(
        batch: t.7, inChannels: t.0, height: t.2, width: t.3, outChannels: t.1, kernelH: t.4,
        kernelW: t.4, stride: t.5, padding: t.6)
      XCTAssertTrue(ConvWeightGradientDirect.suits(g))
      check(g, gathered: index % 2 == 1, withBias: index % 3 != 2, label: "strided \(t)")
    }
  }

  /// Channel ranges that tile 0..<C, each call adding only its own patch columns, give the
  /// whole gradient; gradB is added by every call that is given it.
  func testChannelRanges() {
    let g = Conv2dShape(
      batch: 3, inChannels: 7, height: 6, width: 5, outChannels: 9, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1)
    let p = g.positions, k = g.patch
    let x = Self.random(g.batch * 7 * 30, seed: 11), gy = Self.random(g.batch * 9 * p, seed: 12)
    var gw = [Float](repeating: 0, count: 9 * k), gb = [Float](repeating: 0, count: 9)
    gw.withUnsafeMutableBufferPointer { gw in
      gb.withUnsafeMutableBufferPointer { gb in
        for range in [0..<2, 2..<2, 2..<7] {
          ConvWeightGradientDirect.accumulate(
            g, x: x, samples: g.batch, gy: gy, sampleStride: 9 * p, rowStride: p,
            gradW: gw.baseAddress!, gradB: range.lowerBound == 0 ? gb.baseAddress! : nil,
            channels: range)
        }
      }
    }
    let (refW, scaleW, refB, scaleB) = Self.reference(g, x: x, gy: gy)
    assertClose(gw, refW, scaleW, "channel ranges gradW")
    assertClose(gb, refB, scaleB, "channel ranges gradB")
  }

  /// `Conv2dKernels.directWeightGradient` on small planes (threads split by channels) and on
  /// large ones (split by samples) overwrites gradW and gradB with the reference.
  func testDirectWeightGradientShares() {
    for (c, hw, o, batch) in [(6, 4, 10, 5), (5, 8, 7, 3), (3, 16, 5, 3)] {
      let g = Conv2dShape(
        batch: batch, inChannels: c, height: hw, width: hw, outChannels: o, kernelH: 3, kernelW: 3,
        stride: 1, padding: 1)
      let x = Self.random(batch * c * hw * hw, seed: 21)
      let gy = Self.random(batch * o * g.positions, seed: 22)
      var gw = [Float](repeating: 9, count: o * g.patch), gb = [Float](repeating: 9, count: o)
      Conv2dKernels.directWeightGradient(g, x: x, gradY: gy, gradW: &gw, gradB: &gb)
      let (refW, scaleW, refB, scaleB) = Self.reference(g, x: x, gy: gy)
      assertClose(gw, refW, scaleW, "shares \(c) \(hw) gradW")
      assertClose(gb, refB, scaleB, "shares \(c) \(hw) gradB")
      // A fixed summation order: a second call gives the same bits.
      var again = [Float](repeating: 0, count: o * g.patch), againB = [Float](repeating: 0, count: o)
      Conv2dKernels.directWeightGradient(g, x: x, gradY: gy, gradW: &again, gradB: &againB)
      XCTAssertEqual(gw, again, "shares \(c) \(hw): not deterministic")
      XCTAssertEqual(gb, againB, "shares \(c) \(hw): gradB not deterministic")
    }
  }

  func testSuits() {
    let same = Conv2dShape(
      batch: 1, inChannels: 2, height: 8, width: 8, outChannels: 3, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1)
    XCTAssertTrue(ConvWeightGradientDirect.suits(same))
    var strided = same
    strided.stride = 2
    XCTAssertTrue(ConvWeightGradientDirect.suits(strided))
    strided.stride = 0
    XCTAssertFalse(ConvWeightGradientDirect.suits(strided))
    var empty = same
    empty.kernelH = 11
    XCTAssertFalse(ConvWeightGradientDirect.suits(empty))
  }

  /// Zero samples leave the accumulators alone.
  func testNoSamples() {
    let g = Conv2dShape(
      batch: 1, inChannels: 2, height: 5, width: 5, outChannels: 3, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1)
    var gw = [Float](repeating: 1.5, count: 3 * 18), gb: [Float] = [2, 3, 4]
    let x = [Float](repeating: 1, count: 50), gy = [Float](repeating: 1, count: 75)
    ConvWeightGradientDirect.accumulate(
      g, x: x, samples: 0, gy: gy, sampleStride: 75, rowStride: 25, gradW: &gw, gradB: &gb)
    XCTAssertEqual(gw, [Float](repeating: 1.5, count: 54))
    XCTAssertEqual(gb, [2, 3, 4])
  }

  /// x and gy placed right after and right before PROT_NONE pages: a read outside either
  /// buffer would crash the test.
  func testReadsStayInsideBuffers() {
    let shapes = [
      (3, 5, 13, 13, 3, 3, 1, 2), (2, 3, 26, 26, 3, 3, 0, 2), (2, 3, 9, 7, 5, 5, 2, 1),
      (2, 4, 4, 4, 3, 3, 1, 3), (1, 2, 5, 6, 1, 1, 1, 2),
    ]
    for t in shapes {
      let g = Conv2dShape(
        batch: t.7, inChannels: t.0, height: t.2, width: t.3, outChannels: t.1, kernelH: t.4,
        kernelW: t.5, stride: 1, padding: t.6)
      let xCount = g.batch * g.inChannels * g.height * g.width
      let yCount = g.batch * g.outChannels * g.outH * g.outW
      for xAtEnd in [false, true] {
        let xBuf = GuardedBuffer(count: xCount, atEnd: xAtEnd)
        let gyBuf = GuardedBuffer(count: yCount, atEnd: !xAtEnd)
        defer {
          xBuf.release()
          gyBuf.release()
        }
        let x = Self.random(xCount, seed: 7), gy = Self.random(yCount, seed: 8)
        xBuf.pointer.update(from: x, count: xCount)
        gyBuf.pointer.update(from: gy, count: yCount)
        let p = g.outH * g.outW
        let k = g.inChannels * g.kernelH * g.kernelW
        var gw = [Float](repeating: 0, count: g.outChannels * k)
        var gb = [Float](repeating: 0, count: g.outChannels)
        ConvWeightGradientDirect.accumulate(
          g, x: xBuf.pointer, samples: g.batch, gy: gyBuf.pointer, sampleStride: g.outChannels * p,
          rowStride: p, gradW: &gw, gradB: &gb)
        let (refW, scaleW, refB, scaleB) = Self.reference(g, x: x, gy: gy)
        assertClose(gw, refW, scaleW, "guarded \(t) xAtEnd \(xAtEnd) gradW")
        assertClose(gb, refB, scaleB, "guarded \(t) xAtEnd \(xAtEnd) gradB")
      }
    }
  }

  private func check(_ g: Conv2dShape, gathered: Bool, withBias: Bool, label: String) {
    let p = g.outH * g.outW, o = g.outChannels
    let k = g.inChannels * g.kernelH * g.kernelW
    let x = Self.random(g.batch * g.inChannels * g.height * g.width, seed: 1)
    let gy = Self.random(g.batch * o * p, seed: 2)
    let initW = Self.random(o * k, seed: 3), initB = Self.random(o, seed: 4)
    var gw = initW, gb = initB
    // The gathered layout [O, S·P] holds the same values as the dense [S, O, P].
    var source = gy
    if gathered {
      for s in 0..<g.batch {
        for oc in 0..<o {
          for q in 0..<p { source[oc * g.batch * p + s * p + q] = gy[(s * o + oc) * p + q] }
        }
      }
    }
    let strides = gathered ? (p, g.batch * p) : (o * p, p)
    if withBias {
      ConvWeightGradientDirect.accumulate(
        g, x: x, samples: g.batch, gy: source, sampleStride: strides.0, rowStride: strides.1,
        gradW: &gw, gradB: &gb)
    } else {
      ConvWeightGradientDirect.accumulate(
        g, x: x, samples: g.batch, gy: source, sampleStride: strides.0, rowStride: strides.1,
        gradW: &gw, gradB: nil)
    }
    var (refW, scaleW, refB, scaleB) = Self.reference(g, x: x, gy: gy)
    for i in 0..<refW.count {
      refW[i] += Double(initW[i])
      scaleW[i] += abs(Double(initW[i]))
    }
    for i in 0..<o {
      refB[i] += withBias ? Double(initB[i]) : 0
      scaleB[i] += abs(Double(initB[i]))
    }
    assertClose(gw, refW, scaleW, label + " gathered \(gathered) gradW")
    if withBias {
      assertClose(gb, refB, scaleB, label + " gathered \(gathered) gradB")
    } else {
      XCTAssertEqual(gb, initB, label + ": gradB nil must not touch anything")
    }
  }

  private func assertClose(
    _ got: [Float], _ want: [Double], _ scale: [Double], _ label: String
  ) {
    XCTAssertEqual(got.count, want.count, label)
    var worst = 0.0, at = 0
    for i in 0..<min(got.count, want.count) {
      let err = abs(Double(got[i]) - want[i]) / max(scale[i], 1e-6)
      if !(err <= worst) {
        worst = err
        at = i
      }
    }
    XCTAssertLessThanOrEqual(worst, 1e-4, "\(label): element \(at) got \(got[at]) want \(want[at])")
  }

  /// gW[o, j] = Σ gy·x and gB[o] = Σ gy in double precision, with Σ|terms| as the rounding scale.
  static func reference(
    _ g: Conv2dShape, x: [Float], gy: [Float]
  ) -> ([Double], [Double], [Double], [Double]) {
    let (oh, ow) = (g.outH, g.outW)
    let kk = g.kernelH * g.kernelW, k = g.inChannels * kk, o = g.outChannels
    var w = [Double](repeating: 0, count: o * k), ws = w
    var b = [Double](repeating: 0, count: o), bs = b
    x.withUnsafeBufferPointer { x in
      gy.withUnsafeBufferPointer { gy in
        for n in 0..<g.batch {
          for oc in 0..<o {
            for r in 0..<oh {
              for q in 0..<ow {
                let gv = Double(gy[((n * o + oc) * oh + r) * ow + q])
                b[oc] += gv
                bs[oc] += abs(gv)
                for c in 0..<g.inChannels {
                  for i in 0..<g.kernelH {
                    let ih = r * g.stride - g.padding + i
                    if ih < 0 || ih >= g.height { continue }
                    for j in 0..<g.kernelW {
                      let iw = q * g.stride - g.padding + j
                      if iw < 0 || iw >= g.width { continue }
                      let term = gv * Double(x[((n * g.inChannels + c) * g.height + ih) * g.width + iw])
                      w[oc * k + c * kk + i * g.kernelW + j] += term
                      ws[oc * k + c * kk + i * g.kernelW + j] += abs(term)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (w, ws, b, bs)
  }

  static func random(_ count: Int, seed: UInt32) -> [Float] {
    var state = seed &* 2_654_435_761 &+ 12345
    return (0..<count).map { _ in
      state = state &* 1_664_525 &+ 1_013_904_223
      return Float(Int32(bitPattern: state >> 8) - (1 << 23)) / Float(1 << 23)
    }
  }
}

/// `count` floats that end exactly at a PROT_NONE page (`atEnd`) or start exactly after one.
private struct GuardedBuffer {
  let base: UnsafeMutableRawPointer
  let length: Int
  let pointer: UnsafeMutablePointer<Float>

  init(count: Int, atEnd: Bool) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let dataPages = (count * 4 + page - 1) / page
    length = (dataPages + 1) * page
    let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
    precondition(raw != MAP_FAILED, "mmap failed")
    base = raw
    if atEnd {
      precondition(mprotect(raw + dataPages * page, page, PROT_NONE) == 0)
      pointer = (raw + dataPages * page - count * 4).assumingMemoryBound(to: Float.self)
    } else {
      precondition(mprotect(raw, page, PROT_NONE) == 0)
      pointer = (raw + page).assumingMemoryBound(to: Float.self)
    }
  }

  func release() { munmap(base, length) }
}
