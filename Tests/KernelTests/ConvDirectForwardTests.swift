import XCTest

#if canImport(Glibc)
  import Glibc
#endif
@testable import LetheKernels

/// The direct "same"-convolution kernels (`ConvDirectForward`) against direct double-precision
/// loops: every row-tile size (12, 8, 4, others), depth over one block, 3×3, 5×5 and 1×1
/// kernels, planes of one and of several tiles, and inputs placed against unmapped pages.
final class ConvDirectForwardTests: XCTestCase {
  static let shapes: [Conv2dShape] = [
    same(batch: 2, c: 3, h: 32, w: 32, o: 64, k: 3),  // 5 × 12 rows + 4
    same(batch: 3, c: 5, h: 8, w: 8, o: 20, k: 3),  // 12 + 8
    same(batch: 1, c: 50, h: 4, w: 8, o: 7, k: 3),  // depth 450: two blocks; 7 rows
    same(batch: 2, c: 4, h: 16, w: 16, o: 25, k: 5),  // 12 + 12 + 1
    same(batch: 2, c: 6, h: 2, w: 16, o: 12, k: 3),  // first and last row in one tile
    same(batch: 1, c: 9, h: 1, w: 32, o: 13, k: 3),  // a single row
    same(batch: 2, c: 7, h: 8, w: 4, o: 8, k: 1),  // 1×1, no padding
    // Planes of 16 positions: two-sample tiles, an odd batch's lone last sample.
    same(batch: 3, c: 6, h: 4, w: 4, o: 12, k: 3),
    same(batch: 4, c: 20, h: 2, w: 8, o: 7, k: 3),
    same(batch: 1, c: 5, h: 4, w: 4, o: 20, k: 3),
  ]

  /// The Swift backend, where the direct kernels run (`ConvPolicy.current` may have chosen
  /// OpenBLAS by measurement on a CPU that OpenBLAS knows).
  static let swiftGemm = ConvPolicy(gemm: .swift)

  static func same(batch: Int, c: Int, h: Int, w: Int, o: Int, k: Int) -> Conv2dShape {
    Conv2dShape(
      batch: batch, inChannels: c, height: h, width: w, outChannels: o, kernelH: k, kernelW: k,
      stride: 1, padding: (k - 1) / 2)
  }

  static func inputs(_ g: Conv2dShape, seed: UInt64) -> (x: [Float], w: [Float], b: [Float]) {
    var rng = SplitMix(seed: seed)
    let x = (0..<(g.batch * g.inChannels * g.height * g.width)).map { _ in rng.nextFloat() }
    let w = (0..<(g.outChannels * g.patch)).map { _ in rng.nextFloat() }
    let b = (0..<g.outChannels).map { _ in rng.nextFloat() }
    return (x, w, b)
  }

  func testEveryShapeSuits() {
    for g in Self.shapes { XCTAssertTrue(ConvDirectForward.suits(g), "\(g)") }
    var strided = Self.shapes[0]
    strided.stride = 2
    XCTAssertFalse(ConvDirectForward.suits(strided))
    var valid = Self.shapes[0]
    valid.padding = 0
    XCTAssertFalse(ConvDirectForward.suits(valid))
  }

  func testForwardMatchesDirectConvolution() {
    for (index, g) in Self.shapes.enumerated() {
      let (x, w, b) = Self.inputs(g, seed: UInt64(200 + index))
      for (useBias, relu) in [(false, false), (true, true)] {
        let want = ConvKernelTests.reference(g, x: x, w: w, b: useBias ? b : nil, relu: relu)
        var y = [Float](repeating: .nan, count: want.value.count)
        x.withUnsafeBufferPointer { xp in
          w.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
              y.withUnsafeMutableBufferPointer { yp in
                ConvDirectForward.forward(
                  g, x: xp.baseAddress!, weight: wp.baseAddress!,
                  bias: useBias ? bp.baseAddress! : nil, relu: relu, y: yp.baseAddress!)
              }
            }
          }
        }
        for i in 0..<y.count where !(abs(Double(y[i]) - want.value[i]) <= 1e-5 * (want.scale[i] + 1)) {
          XCTFail("\(g) bias=\(useBias) relu=\(relu): y[\(i)] = \(y[i]), want \(want.value[i])")
          break
        }
      }
    }
  }

  func testInputGradientMatchesDirectGradient() {
    for (index, g) in Self.shapes.enumerated() {
      let (x, w, _) = Self.inputs(g, seed: UInt64(300 + index))
      var rng = SplitMix(seed: UInt64(400 + index))
      let gy = (0..<(g.batch * g.outChannels * g.positions)).map { _ in rng.nextFloat() }
      let want = ConvKernelTests.referenceBackward(g, x: x, w: w, gy: gy, mask: nil).gx
      var gx = [Float](repeating: .nan, count: x.count)
      w.withUnsafeBufferPointer { wp in
        gy.withUnsafeBufferPointer { gp in
          gx.withUnsafeMutableBufferPointer { gxp in
            ConvDirectForward.inputGradient(
              g, weight: wp.baseAddress!, gradY: gp.baseAddress!, gradX: gxp.baseAddress!)
          }
        }
      }
      let scale = want.map { abs($0) }.max() ?? 0
      for i in 0..<gx.count where !(abs(Double(gx[i]) - want[i]) <= 1e-5 * (scale + 1)) {
        XCTFail("\(g): gx[\(i)] = \(gx[i]), want \(want[i])")
        break
      }
    }
  }

  /// Stride-1 convolutions narrower than their input (the CNN's valid 3×3, 5×5 with padding 1,
  /// a plane whose widened rows end in a partial tile), with rows as wide as the input's.
  func testWidenedForwardMatchesDirectConvolution() throws {
    try XCTSkipUnless(GemmPacking.useAVX512, "the widened forward is routed on AVX-512 CPUs only")
    let shapes: [Conv2dShape] = [
      .init(batch: 2, inChannels: 32, height: 26, width: 26, outChannels: 20, kernelH: 3,
        kernelW: 3, stride: 1, padding: 0),
      .init(batch: 1, inChannels: 3, height: 9, width: 11, outChannels: 13, kernelH: 3,
        kernelW: 3, stride: 1, padding: 0),
      .init(batch: 3, inChannels: 4, height: 10, width: 10, outChannels: 8, kernelH: 5,
        kernelW: 5, stride: 1, padding: 1),
    ]
    for (index, g) in shapes.enumerated() {
      XCTAssertTrue(ConvDirectForward.suitsWidened(g))
      let (x, w, b) = Self.inputs(g, seed: UInt64(500 + index))
      let want = ConvKernelTests.reference(g, x: x, w: w, b: b, relu: true)
      var y = [Float](repeating: .nan, count: Conv2dKernels.rowsOutputCount(g))
      var stride = 0
      x.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
          b.withUnsafeBufferPointer { bp in
            y.withUnsafeMutableBufferPointer { yp in
              stride = Conv2dKernels.forwardRows(
                g, x: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                y: yp.baseAddress!, policy: Self.swiftGemm)
            }
          }
        }
      }
      XCTAssertEqual(stride, g.width)
      check: for plane in 0..<(g.batch * g.outChannels) {
        for r in 0..<g.outH {
          for q in 0..<g.outW {
            let got = Double(y[(plane * g.outH + r) * stride + q])
            let at = (plane * g.outH + r) * g.outW + q
            if !(abs(got - want.value[at]) <= 1e-5 * (want.scale[at] + 1)) {
              XCTFail("\(g): plane \(plane) (\(r), \(q)) = \(got), want \(want.value[at])")
              break check
            }
          }
        }
      }
    }
  }

  /// Max pooling over rows longer than the plane's width reads only the plane and reports
  /// indices into a dense plane (2×2 and a general window).
  func testMaxPoolOverWidenedRows() {
    let (planes, h, w, rs) = (3, 6, 6, 8)
    var rng = SplitMix(seed: 11)
    let dense = (0..<(planes * h * w)).map { _ in rng.nextFloat() }
    var wide = [Float](repeating: 100, count: planes * h * rs)
    for pl in 0..<planes {
      for r in 0..<h {
        for q in 0..<w { wide[(pl * h + r) * rs + q] = dense[(pl * h + r) * w + q] }
      }
    }
    for (k, s) in [(2, 2), (3, 3)] {
      let o = (h - k) / s + 1
      var y1 = [Float](repeating: 0, count: planes * o * o), y2 = y1
      var i1 = [Int32](repeating: 0, count: planes * o * o), i2 = i1
      Pool.maxForward(
        dense, planes: planes, height: h, width: w, kernel: k, stride: s, padding: 0, outH: o,
        outW: o, &y1, index: &i1)
      Pool.maxForward(
        wide, planes: planes, height: h, width: w, kernel: k, stride: s, padding: 0, outH: o,
        outW: o, &y2, index: &i2, rowStride: rs)
      XCTAssertEqual(y1, y2, "kernel \(k)")
      XCTAssertEqual(i1, i2, "kernel \(k)")
    }
  }

  /// `Conv2dKernels.backward` on a geometry that takes every direct kernel (input gradient,
  /// weight gradient from dense and from ReLU-masked output gradients) against direct gradients.
  func testBackwardThroughTheDirectKernels() throws {
    try XCTSkipUnless(GemmPacking.useAVX512, "the direct kernels are routed on AVX-512 CPUs only")
    let g = Self.same(batch: 3, c: 16, h: 16, w: 16, o: 12, k: 3)
    let plan = ConvRouting.plan(g, policy: Self.swiftGemm)
    XCTAssertEqual(plan.forward, .direct)
    XCTAssertEqual(plan.inputGradient, .direct)
    XCTAssertEqual(plan.weightGradient, .direct)
    XCTAssertEqual(ConvRouting.plan(g, fusion: .relu, policy: Self.swiftGemm).weightGradient, .directChunks)
    let (x, w, _) = Self.inputs(g, seed: 600)
    var rng = SplitMix(seed: 601)
    let outCount = g.batch * g.outChannels * g.positions
    let gy = (0..<outCount).map { _ in rng.nextFloat() }
    let maskValues = (0..<outCount).map { _ in rng.nextFloat() }
    for masked in [false, true] {
      let want = ConvKernelTests.referenceBackward(
        g, x: x, w: w, gy: gy, mask: masked ? maskValues : nil)
      if let failure = ConvKernelTests.backwardMismatch(
        g, x: x, w: w, gy: gy, mask: masked ? maskValues : nil, want: want, policy: Self.swiftGemm)
      {
        XCTFail("masked=\(masked): \(failure)")
      }
    }
  }

  /// The masked loads reach before a plane's first row and past its last: with the input
  /// starting right after an unmapped page and ending right before another, a load that
  /// touched a masked-out lane would crash the test.
  func testMaskedLoadsStayInsideTheInput() throws {
    #if canImport(Glibc)
      let g = Self.same(batch: 1, c: 2, h: 32, w: 32, o: 12, k: 3)
      let count = g.batch * g.inChannels * g.height * g.width  // 2048 floats = 2 pages
      let page = Int(sysconf(Int32(_SC_PAGESIZE)))
      let bytes = count * 4
      XCTAssertEqual(bytes % page, 0)
      let total = bytes + 2 * page
      let base = try XCTUnwrap(
        mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
      XCTAssertNotEqual(base, MAP_FAILED)
      defer { munmap(base, total) }
      XCTAssertEqual(mprotect(base, page, PROT_NONE), 0)
      XCTAssertEqual(mprotect(base + page + bytes, page, PROT_NONE), 0)
      let x = (base + page).bindMemory(to: Float.self, capacity: count)
      var rng = SplitMix(seed: 7)
      for i in 0..<count { x[i] = rng.nextFloat() }
      let xs = Array(UnsafeBufferPointer(start: x, count: count))
      let w = (0..<(g.outChannels * g.patch)).map { _ in rng.nextFloat() }
      let want = ConvKernelTests.reference(g, x: xs, w: w, b: nil, relu: false)
      var y = [Float](repeating: .nan, count: want.value.count)
      w.withUnsafeBufferPointer { wp in
        y.withUnsafeMutableBufferPointer { yp in
          ConvDirectForward.forward(
            g, x: x, weight: wp.baseAddress!, bias: nil, relu: false, y: yp.baseAddress!)
        }
      }
      for i in 0..<y.count where !(abs(Double(y[i]) - want.value[i]) <= 1e-5 * (want.scale[i] + 1)) {
        XCTFail("y[\(i)] = \(y[i]), want \(want.value[i])")
        break
      }
    #endif
  }
}
