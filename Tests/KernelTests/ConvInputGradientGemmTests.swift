import XCTest
@testable import LetheKernels

/// The backward's input gradient through the once-packed Wᵀ (`ConvInputGradientGemm`) against
/// direct gradients, and against the per-chunk `Gemm.sgemm` path.
final class ConvInputGradientGemmTests: XCTestCase {
  /// Output channels over one 384-deep block (two equal depth blocks), patches that leave a
  /// partial 12-row panel, positions that leave a partial 32-column panel, several chunks.
  static let shapes: [Conv2dShape] = [
    .init(batch: 3, inChannels: 2, height: 5, width: 5, outChannels: 400, kernelH: 3, kernelW: 3,
      stride: 1, padding: 1),
    .init(batch: 5, inChannels: 3, height: 5, width: 5, outChannels: 200, kernelH: 3, kernelW: 3,
      stride: 2, padding: 1),
    .init(batch: 2, inChannels: 6, height: 4, width: 4, outChannels: 777, kernelH: 1, kernelW: 1,
      stride: 1, padding: 0),
  ]

  func run(_ g: Conv2dShape, x: [Float], w: [Float], gy: [Float], prepack: Bool) -> [Float] {
    var policy = ConvPolicy.current
    policy.prepackWeights = prepack
    var gx = [Float](repeating: .nan, count: x.count)
    x.withUnsafeBufferPointer { xp in
      w.withUnsafeBufferPointer { wp in
        gy.withUnsafeBufferPointer { gp in
          gx.withUnsafeMutableBufferPointer { gxp in
            Conv2dKernels.backward(
              g, x: xp.baseAddress!, weight: wp.baseAddress!, gradY: gp.baseAddress!,
              gradX: gxp.baseAddress!, gradW: nil, gradB: nil, policy: policy)
          }
        }
      }
    }
    return gx
  }

  func testInputGradientMatchesDirectGradientsAndTheGemmPath() {
    for (index, g) in Self.shapes.enumerated() {
      var rng = SplitMix(seed: UInt64(800 + index))
      let x = (0..<(g.batch * g.inChannels * g.height * g.width)).map { _ in rng.nextFloat() }
      let w = (0..<(g.outChannels * g.patch)).map { _ in rng.nextFloat() }
      let gy = (0..<(g.batch * g.outChannels * g.positions)).map { _ in rng.nextFloat() }
      let want = ConvKernelTests.referenceBackward(g, x: x, w: w, gy: gy, mask: nil).gx
      let scale = want.map { abs($0) }.max() ?? 0
      let packed = run(g, x: x, w: w, gy: gy, prepack: true)
      let plain = run(g, x: x, w: w, gy: gy, prepack: false)
      for i in 0..<want.count where !(abs(Double(packed[i]) - want[i]) <= 1e-5 * (scale + 1)) {
        XCTFail("\(g): gx[\(i)] = \(packed[i]), want \(want[i])")
        break
      }
      for i in 0..<want.count where !(abs(packed[i] - plain[i]) <= 1e-5 * Float(scale + 1)) {
        XCTFail("\(g): gx[\(i)] = \(packed[i]) packed, \(plain[i]) through sgemm")
        break
      }
    }
  }
}
