import XCTest

@testable import LetheKernels

final class PoolTests: XCTestCase {
  /// 2×2 stride-2 max pooling (vectorised on AVX-512) against a scalar reference with the same
  /// rule, on widths around the 16-output vector (odd ones included), rows wider than the plane,
  /// ties, infinities and NaNs.
  func testMax2x2MatchesScalarReference() {
    var rng = SplitMix(seed: 5)
    for (h, w, rs) in [(4, 4, 4), (6, 7, 7), (5, 31, 33), (4, 32, 32), (8, 50, 56), (24, 24, 28)] {
      let planes = 3
      let count = planes * h * rs
      var x = (0..<count).map { _ in Float(Int(rng.nextFloat() * 8)) - 4 }  // many ties
      for i in stride(from: 0, to: count, by: 7) { x[i] = .nan }
      for i in stride(from: 3, to: count, by: 11) { x[i] = -.infinity }
      for i in stride(from: 5, to: count, by: 13) { x[i] = .infinity }
      let (oh, ow) = (h / 2, w / 2)
      var y = [Float](repeating: 0, count: planes * oh * ow)
      var idx = [Int32](repeating: -1, count: planes * oh * ow)
      Pool.maxForward(
        x, planes: planes, height: h, width: w, kernel: 2, stride: 2, padding: 0, outH: oh,
        outW: ow, &y, index: &idx, rowStride: rs)
      for pl in 0..<planes {
        for r in 0..<oh {
          for q in 0..<ow {
            let at = [(0, 0), (0, 1), (1, 0), (1, 1)].map { (2 * r + $0.0, 2 * q + $0.1) }
            var m = x[(pl * h + at[0].0) * rs + at[0].1]
            var best = at[0].0 * w + at[0].1
            for (j, (rr, cc)) in at.enumerated().dropFirst() {
              let v = x[(pl * h + rr) * rs + cc]
              if (v > m || v.isNaN) && (j == 1 || !m.isNaN) {
                m = v
                best = rr * w + cc
              }
            }
            let o = (pl * oh + r) * ow + q
            let where_ = "h \(h) w \(w) plane \(pl) (\(r), \(q))"
            XCTAssertEqual(Int(idx[o]), best, where_)
            XCTAssertTrue(y[o] == m || (y[o].isNaN && m.isNaN), where_)
          }
        }
      }
    }
  }
}
