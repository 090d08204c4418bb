import XCTest

@testable import LetheKernels

final class BatchNormKernelsTests: XCTestCase {
  /// The one-pass statistics (planes of ≥ 16 values) and the two-pass ones (smaller planes)
  /// against Double references, on data far from zero where a naive Σx² − (Σx)²/m would lose
  /// every digit of the variance.
  func testStatisticsMatchDoubleReference() {
    var rng = SplitMix(seed: 9)
    for (n, c, s) in [(3, 2, 1), (4, 3, 7), (5, 2, 16), (2, 3, 33), (3, 2, 1024)] {
      let x = (0..<(n * c * s)).map { i in 1000 + Float(i % c) + 0.5 * rng.nextFloat() }
      var mean = [Float](repeating: 0, count: c), variance = mean
      BatchNormKernels.statistics(x, n: n, c: c, s: s, mean: &mean, variance: &variance)
      for ch in 0..<c {
        let values = (0..<n).flatMap { b in (0..<s).map { Double(x[(b * c + ch) * s + $0]) } }
        let mu = values.reduce(0, +) / Double(values.count)
        let v = values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count)
        XCTAssertEqual(Double(mean[ch]), mu, accuracy: 1e-4, "n \(n) c \(c) s \(s)")
        XCTAssertEqual(Double(variance[ch]), v, accuracy: v * 1e-3, "n \(n) c \(c) s \(s)")
      }
    }
  }

  /// The fused ReLU gradient and sums equal the ReLU mask followed by `gradientSums`.
  func testReluGradientSumsEqualsComposition() {
    var rng = SplitMix(seed: 4)
    for (n, c, s) in [(2, 3, 1), (3, 2, 20), (2, 2, 64)] {
      let count = n * c * s
      let g = (0..<count).map { _ in rng.nextFloat() - 0.5 }
      let y = (0..<count).map { _ in rng.nextFloat() - 0.5 }
      let x = (0..<count).map { _ in rng.nextFloat() }
      let mean = (0..<c).map { Float($0) * 0.1 }
      var masked = [Float](repeating: 0, count: count), expected = masked
      var sumG = [Float](repeating: 0, count: c), sumGX = sumG, refG = sumG, refGX = sumG
      BatchNormKernels.reluGradientSums(
        g, y: y, x, n: n, c: c, s: s, mean: mean, gMasked: &masked, sumG: &sumG, sumGX: &sumGX)
      Elementwise.reluBackward(g, y, &expected, count: count)
      BatchNormKernels.gradientSums(expected, x, n: n, c: c, s: s, mean: mean, sumG: &refG, sumGX: &refGX)
      XCTAssertEqual(masked, expected)
      for ch in 0..<c {
        XCTAssertEqual(sumG[ch], refG[ch], accuracy: 1e-5)
        XCTAssertEqual(sumGX[ch], refGX[ch], accuracy: 1e-5)
      }
    }
  }
}
