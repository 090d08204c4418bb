import XCTest

@testable import LetheKernels

/// The vectorised, parallel SGD kernel against a plain scalar loop of PyTorch's rule.
final class OptimKernelsTests: XCTestCase {
  /// PyTorch's SGD on one element (the reference; same operations in the same order).
  func reference(
    p: Float, g: Float, b: inout Float, lr: Float, momentum: Float, dampening: Float,
    weightDecay: Float, nesterov: Bool, first: Bool
  ) -> Float {
    var d = g + weightDecay * p
    if momentum != 0 {
      b = first ? d : momentum * b + (1 - dampening) * d
      d = nesterov ? d + momentum * b : b
    }
    return p - lr * d
  }

  func testSGDMatchesScalarRuleInAndOutOfPlace() {
    var rng = SplitMix(seed: 5)
    // A tail shorter than 16 lanes, one exact vector, and a size split over threads.
    for count in [7, 16, 37, 70_001] {
      let p0 = (0..<count).map { _ in rng.nextFloat() }
      let g = (0..<count).map { _ in rng.nextFloat() }
      let b0 = (0..<count).map { _ in rng.nextFloat() }
      for (momentum, nesterov, first, dampening) in [
        (Float(0), false, false, Float(0)), (0.9, false, true, 0), (0.9, false, false, 0.1),
        (0.9, true, true, 0), (0.8, true, false, 0),
      ] {
        var wantP = p0, wantB = b0
        for i in 0..<count {
          wantP[i] = reference(
            p: p0[i], g: g[i], b: &wantB[i], lr: 0.05, momentum: momentum, dampening: dampening,
            weightDecay: 0.01, nesterov: nesterov, first: first)
        }
        // Out of place: the old parameters stay untouched.
        var outB = b0
        var updated = [Float](repeating: .nan, count: count)
        outB.withUnsafeMutableBufferPointer { bp in
          OptimKernels.sgd(
            param: p0, grad: g, buffer: momentum == 0 ? nil : bp.baseAddress!, updated: &updated,
            count: count, lr: 0.05, momentum: momentum, dampening: dampening, weightDecay: 0.01,
            nesterov: nesterov, firstStep: first)
        }
        let label = "count \(count) momentum \(momentum) nesterov \(nesterov) first \(first)"
        XCTAssertEqual(updated, wantP, label)
        if momentum != 0 { XCTAssertEqual(outB, wantB, label) }
        // In place.
        var inP = p0, inB = b0
        inP.withUnsafeMutableBufferPointer { pp in
          inB.withUnsafeMutableBufferPointer { bp in
            OptimKernels.sgd(
              param: pp.baseAddress!, grad: g, buffer: momentum == 0 ? nil : bp.baseAddress!,
              count: count, lr: 0.05, momentum: momentum, dampening: dampening, weightDecay: 0.01,
              nesterov: nesterov, firstStep: first)
          }
        }
        XCTAssertEqual(inP, wantP, label)
      }
    }
  }
}
