import XCTest
@testable import LetheKernels

/// The convolution backward fed from a max-pool's gradient (`PooledReLUGradient`) against the
/// dense backward fed the expanded gradient built by a plain loop.
final class PooledConvBackwardTests: XCTestCase {
  /// Odd and even output planes, a batch of several chunks, batch 1, stride 2.
  static let shapes: [Conv2dShape] = [
    .init(batch: 3, inChannels: 2, height: 9, width: 11, outChannels: 5, kernelH: 3, kernelW: 3,
      stride: 1, padding: 0),
    .init(batch: 9, inChannels: 3, height: 12, width: 12, outChannels: 16, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    .init(batch: 1, inChannels: 4, height: 13, width: 10, outChannels: 13, kernelH: 3, kernelW: 3,
      stride: 2, padding: 1),
    .init(batch: 2, inChannels: 32, height: 26, width: 26, outChannels: 64, kernelH: 3, kernelW: 3,
      stride: 1, padding: 0),
  ]

  func testPooledBackwardEqualsDenseBackwardOfTheExpandedGradient() {
    for (index, g) in Self.shapes.enumerated() {
      var rng = SplitMix(seed: UInt64(700 + index))
      let (oh, ow) = (g.outH / 2, g.outW / 2)
      let planes = g.batch * g.outChannels
      let x = (0..<(g.batch * g.inChannels * g.height * g.width)).map { _ in rng.nextFloat() }
      let w = (0..<(g.outChannels * g.patch)).map { _ in rng.nextFloat() }
      let pooledGrad = (0..<(planes * oh * ow)).map { _ in rng.nextFloat() }
      // Pooled outputs of both signs (nextFloat is in [-1, 1)) and zeros: only y > 0 passes.
      let pooledY = (0..<(planes * oh * ow)).map { i in i % 7 == 0 ? 0 : rng.nextFloat() }
      // An argmax inside each 2×2 window.
      let index = (0..<(planes * oh * ow)).map { i -> Int32 in
        let (r, q) = ((i % (oh * ow)) / ow, i % ow)
        let pick = Int(rng.next() % 4)
        return Int32((2 * r + pick / 2) * g.outW + 2 * q + pick % 2)
      }
      var dense = [Float](repeating: 0, count: planes * g.positions)
      for i in 0..<pooledGrad.count where pooledY[i] > 0 {
        dense[(i / (oh * ow)) * g.positions + Int(index[i])] += pooledGrad[i]
      }
      var results: [[Float]] = []
      for pooled in [true, false] {
        var gx = [Float](repeating: .nan, count: x.count)
        var gw = [Float](repeating: .nan, count: w.count)
        var gb = [Float](repeating: .nan, count: g.outChannels)
        x.withUnsafeBufferPointer { xp in
          w.withUnsafeBufferPointer { wp in
            gx.withUnsafeMutableBufferPointer { gxp in
              gw.withUnsafeMutableBufferPointer { gwp in
                gb.withUnsafeMutableBufferPointer { gbp in
                  if pooled {
                    pooledGrad.withUnsafeBufferPointer { gp in
                      pooledY.withUnsafeBufferPointer { yp in
                        index.withUnsafeBufferPointer { ip in
                          let source = PooledReLUGradient(
                            gradient: gp.baseAddress!, index: ip.baseAddress!, output: yp.baseAddress!,
                            pooledPerPlane: oh * ow)
                          Conv2dKernels.backward(
                            g, x: xp.baseAddress!, weight: wp.baseAddress!, pooled: source,
                            gradX: gxp.baseAddress!, gradW: gwp.baseAddress!, gradB: gbp.baseAddress!)
                        }
                      }
                    }
                  } else {
                    dense.withUnsafeBufferPointer { dp in
                      Conv2dKernels.backward(
                        g, x: xp.baseAddress!, weight: wp.baseAddress!, gradY: dp.baseAddress!,
                        gradX: gxp.baseAddress!, gradW: gwp.baseAddress!, gradB: gbp.baseAddress!)
                    }
                  }
                }
              }
            }
          }
        }
        results.append(gx + gw + gb)
      }
      let scale = results[1].map { abs($0) }.max() ?? 0
      for i in 0..<results[0].count
      where !(abs(results[0][i] - results[1][i]) <= 1e-5 * (scale + 1)) {
        XCTFail("\(g): gradient element \(i) = \(results[0][i]), want \(results[1][i])")
        break
      }
    }
  }
}
