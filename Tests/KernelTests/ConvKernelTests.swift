import XCTest
@testable import LetheKernels

/// The convolution kernels (implicit GEMM, im2col) against a direct double-precision loop.
final class ConvKernelTests: XCTestCase {
  /// Geometries: odd sizes, stride 2, padding 0/1/2, batch 1, output channels that leave
  /// partial 12-row panels, depth over one 384 block, planes over one 768-position chunk, and
  /// planes too small for the implicit path.
  static let shapes: [Conv2dShape] = [
    .init(batch: 3, inChannels: 2, height: 9, width: 11, outChannels: 5, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    .init(batch: 1, inChannels: 3, height: 13, width: 10, outChannels: 13, kernelH: 3, kernelW: 3,
      stride: 2, padding: 1),
    .init(batch: 2, inChannels: 50, height: 8, width: 9, outChannels: 20, kernelH: 3, kernelW: 3,
      stride: 1, padding: 0),
    .init(batch: 2, inChannels: 1, height: 31, width: 29, outChannels: 32, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    .init(batch: 2, inChannels: 4, height: 15, width: 15, outChannels: 8, kernelH: 1, kernelW: 1,
      stride: 2, padding: 0),
    .init(batch: 2, inChannels: 3, height: 12, width: 12, outChannels: 7, kernelH: 5, kernelW: 3,
      stride: 1, padding: 2),
    .init(batch: 4, inChannels: 6, height: 4, width: 4, outChannels: 12, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    // ResNet's plane widths (32, 16, 8: whole-run copies, padded edges).
    .init(batch: 2, inChannels: 3, height: 32, width: 32, outChannels: 8, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    .init(batch: 3, inChannels: 4, height: 16, width: 16, outChannels: 6, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    .init(batch: 3, inChannels: 5, height: 8, width: 8, outChannels: 7, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
  ]

  /// Direct convolution in double precision (plus bias, optional ReLU), and the sum of
  /// |products| per output as the scale of float rounding.
  static func reference(
    _ g: Conv2dShape, x: [Float], w: [Float], b: [Float]?, relu: Bool
  ) -> (value: [Double], scale: [Double]) {
    let (oh, ow) = (g.outH, g.outW)
    var value = [Double](repeating: 0, count: g.batch * g.outChannels * oh * ow)
    var scale = value
    for n in 0..<g.batch {
      for o in 0..<g.outChannels {
        for r in 0..<oh {
          for q in 0..<ow {
            var sum = Double(b?[o] ?? 0), mag = abs(sum)
            for c in 0..<g.inChannels {
              for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                  let ih = r * g.stride - g.padding + i, iw = q * g.stride - g.padding + j
                  if ih < 0 || ih >= g.height || iw < 0 || iw >= g.width { continue }
                  let xv = Double(x[((n * g.inChannels + c) * g.height + ih) * g.width + iw])
                  let wv = Double(w[((o * g.inChannels + c) * g.kernelH + i) * g.kernelW + j])
                  sum += xv * wv
                  mag += abs(xv * wv)
                }
              }
            }
            let at = ((n * g.outChannels + o) * oh + r) * ow + q
            value[at] = relu ? max(sum, 0) : sum
            scale[at] = mag
          }
        }
      }
    }
    return (value, scale)
  }

  func inputs(_ g: Conv2dShape, seed: UInt64) -> (x: [Float], w: [Float], b: [Float]) {
    var rng = SplitMix(seed: seed)
    let x = (0..<(g.batch * g.inChannels * g.height * g.width)).map { _ in rng.nextFloat() }
    let w = (0..<(g.outChannels * g.patch)).map { _ in rng.nextFloat() }
    let b = (0..<g.outChannels).map { _ in rng.nextFloat() }
    return (x, w, b)
  }

  typealias Forward = (
    Conv2dShape, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, Bool,
    UnsafeMutablePointer<Float>
  ) -> Void

  func checkForward(_ label: String, _ run: Forward, only: (Conv2dShape) -> Bool = { _ in true }) {
    for (index, g) in Self.shapes.enumerated() where only(g) {
      let (x, w, b) = inputs(g, seed: UInt64(index + 1))
      for (useBias, relu) in [(true, false), (false, false), (true, true)] {
        let want = Self.reference(g, x: x, w: w, b: useBias ? b : nil, relu: relu)
        // NaN-filled output: every element must be written.
        var y = [Float](repeating: .nan, count: want.value.count)
        x.withUnsafeBufferPointer { xp in
          w.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
              y.withUnsafeMutableBufferPointer { yp in
                run(g, xp.baseAddress!, wp.baseAddress!, useBias ? bp.baseAddress! : nil, relu,
                  yp.baseAddress!)
              }
            }
          }
        }
        for i in 0..<y.count {
          let err = abs(Double(y[i]) - want.value[i])
          if !(err <= 1e-5 * (want.scale[i] + 1)) {
            XCTFail("\(label) \(g) bias=\(useBias) relu=\(relu): y[\(i)] = \(y[i]), want \(want.value[i])")
            break
          }
        }
      }
    }
  }

  func testImplicitGemmForwardMatchesDirectConvolution() {
    checkForward("implicit", { g, x, w, b, relu, y in
      ConvImplicitGemm.forward(g, x: x, weight: w, bias: b, relu: relu, y: y)
    })
  }

  func testIm2colForwardMatchesDirectConvolution() {
    checkForward("im2col", { g, x, w, b, relu, y in
      Conv2dKernels.forwardIm2col(g, x: x, weight: w, bias: b, relu: relu, y: y)
    })
  }

  func testDispatchingForwardMatchesDirectConvolution() {
    checkForward("forward", { g, x, w, b, relu, y in
      Conv2dKernels.forward(g, x: x, weight: w, bias: b, relu: relu, y: y)
    })
  }

  func testPanelSegmentsCoverEveryPositionOnce() {
    for g in Self.shapes {
      let segments = PanelSegments(g)
      var seen = [Int](repeating: 0, count: g.positions)
      let panels = (g.positions + 31) / 32
      for q in 0..<panels {
        for si in segments.range(panel: q) {
          let s = segments.list[si]
          for t in 0..<Int(s.len) { seen[q * 32 + Int(s.j) + t] += 1 }
          XCTAssertLessThanOrEqual(Int(s.j + s.len), 32)
        }
      }
      XCTAssertEqual(seen, [Int](repeating: 1, count: g.positions), "\(g)")
    }
  }

  /// Direct gradients in double precision of L = Σ gy ⊙ y, y = conv(x, w) + b (optionally
  /// relu'd: gy is masked where `y` ≤ 0).
  static func referenceBackward(
    _ g: Conv2dShape, x: [Float], w: [Float], gy: [Float], mask: [Float]?
  ) -> (gx: [Double], gw: [Double], gb: [Double]) {
    let (oh, ow) = (g.outH, g.outW)
    var gx = [Double](repeating: 0, count: x.count)
    var gw = [Double](repeating: 0, count: w.count)
    var gb = [Double](repeating: 0, count: g.outChannels)
    for n in 0..<g.batch {
      for o in 0..<g.outChannels {
        for r in 0..<oh {
          for q in 0..<ow {
            let at = ((n * g.outChannels + o) * oh + r) * ow + q
            if let mask, mask[at] <= 0 { continue }
            let d = Double(gy[at])
            gb[o] += d
            for c in 0..<g.inChannels {
              for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                  let ih = r * g.stride - g.padding + i, iw = q * g.stride - g.padding + j
                  if ih < 0 || ih >= g.height || iw < 0 || iw >= g.width { continue }
                  let xi = ((n * g.inChannels + c) * g.height + ih) * g.width + iw
                  let wi = ((o * g.inChannels + c) * g.kernelH + i) * g.kernelW + j
                  gx[xi] += d * Double(w[wi])
                  gw[wi] += d * Double(x[xi])
                }
              }
            }
          }
        }
      }
    }
    return (gx, gw, gb)
  }

  /// The backward kernel (per-thread sample chunks, both weight-gradient orientations) against
  /// direct gradients, plain and with a ReLU mask; batches of 1 and of several chunks.
  func testBackwardMatchesDirectGradients() {
    var shapes = Self.shapes
    // Several chunks of several samples each; a patch narrower than the output channels.
    shapes.append(.init(batch: 9, inChannels: 1, height: 7, width: 6, outChannels: 16, kernelH: 3,
      kernelW: 3, stride: 1, padding: 1))
    for (index, g) in shapes.enumerated() {
      let (x, w, _) = inputs(g, seed: UInt64(50 + index))
      var rng = SplitMix(seed: UInt64(90 + index))
      let outCount = g.batch * g.outChannels * g.positions
      let gy = (0..<outCount).map { _ in rng.nextFloat() }
      let maskValues = (0..<outCount).map { _ in rng.nextFloat() }
      for masked in [false, true] {
        let want = Self.referenceBackward(g, x: x, w: w, gy: gy, mask: masked ? maskValues : nil)
        if let failure = Self.backwardMismatch(
          g, x: x, w: w, gy: gy, mask: masked ? maskValues : nil, want: want)
        {
          XCTFail("\(g) masked=\(masked): \(failure)")
        }
      }
    }
  }

  /// Runs `Conv2dKernels.backward` under `policy` (NaN-filled outputs) and compares gx, gw, gb
  /// with `want`; returns the first mismatch, or nil.
  static func backwardMismatch(
    _ g: Conv2dShape, x: [Float], w: [Float], gy: [Float], mask: [Float]?,
    want: (gx: [Double], gw: [Double], gb: [Double]), policy: ConvPolicy = .current
  ) -> String? {
    var gx = [Float](repeating: .nan, count: x.count)
    var gw = [Float](repeating: .nan, count: w.count)
    var gb = [Float](repeating: .nan, count: g.outChannels)
    let maskValues = mask ?? []
    x.withUnsafeBufferPointer { xp in
      w.withUnsafeBufferPointer { wp in
        gy.withUnsafeBufferPointer { gp in
          maskValues.withUnsafeBufferPointer { mp in
            gx.withUnsafeMutableBufferPointer { gxp in
              gw.withUnsafeMutableBufferPointer { gwp in
                gb.withUnsafeMutableBufferPointer { gbp in
                  Conv2dKernels.backward(
                    g, x: xp.baseAddress!, weight: wp.baseAddress!, gradY: gp.baseAddress!,
                    reluOutput: mask == nil ? nil : mp.baseAddress!, gradX: gxp.baseAddress!,
                    gradW: gwp.baseAddress!, gradB: gbp.baseAddress!, policy: policy)
                }
              }
            }
          }
        }
      }
    }
    for (name, got, exp) in [("gx", gx, want.gx), ("gw", gw, want.gw), ("gb", gb, want.gb)] {
      let scale = exp.map { abs($0) }.max() ?? 0
      for i in 0..<got.count where !(abs(Double(got[i]) - exp[i]) <= 1e-5 * (scale + 1)) {
        return "\(name)[\(i)] = \(got[i]), want \(exp[i])"
      }
    }
    return nil
  }
}
