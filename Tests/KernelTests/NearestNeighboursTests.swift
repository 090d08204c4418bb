import LetheKernels
import XCTest

/// The brute-force neighbour search behind CODEC/FOCI: the many-candidate form agrees with the
/// one-candidate form, excludes the sample itself, breaks ties uniformly, and does not depend on
/// the thread count.
final class NearestNeighboursTests: XCTestCase {
  /// A table of squared distances over `features` (n × f, row-major).
  func table(_ features: [Double], n: Int) -> [Double] {
    let f = features.count / n
    var d = [Double](repeating: 0, count: n * n)
    for k in 0..<f {
      let column = (0..<n).map { features[$0 * f + k] }
      column.withUnsafeBufferPointer { c in
        d.withUnsafeMutableBufferPointer { NearestNeighbours.addSquaredDifferences(c.baseAddress!, count: n, to: $0.baseAddress!) }
      }
    }
    return d
  }

  /// Brute force the slow way: argmin over j ≠ i of d[i][j] + (e[i] − e[j])².
  func naive(_ d: [Double], _ e: [Double], n: Int) -> [Int] {
    (0..<n).map { i in
      (0..<n).filter { $0 != i }.min { d[i * n + $0] + (e[i] - e[$0]) * (e[i] - e[$0]) < d[i * n + $1] + (e[i] - e[$1]) * (e[i] - e[$1]) }!
    }
  }

  func testManyCandidatesAgreeWithOneAtATimeAndTheNaiveSearch() {
    var rng = SplitMix(seed: 7)
    // n = 37 and 67: not multiples of the 4-wide vectors or of the row blocks.
    for n in [2, 3, 37, 67] {
      let d = table((0..<(n * 3)).map { _ in Double.random(in: -1...1, using: &rng) }, n: n)
      let p = 9
      let columns = (0..<(n * p)).map { _ in Double.random(in: -1...1, using: &rng) }
      let candidates = [8, 0, 3, 5]
      var many = [Int](repeating: -1, count: n * candidates.count)
      d.withUnsafeBufferPointer { dp in
        columns.withUnsafeBufferPointer { c in
          candidates.withUnsafeBufferPointer { k in
            many.withUnsafeMutableBufferPointer { o in
              NearestNeighbours.nearest(dp.baseAddress!, count: n, columns: c.baseAddress!, candidates: k, into: o.baseAddress!) { _, _ in
                XCTFail("random data has no ties")
                return 0
              }
            }
          }
        }
      }
      for (position, c) in candidates.enumerated() {
        let e = Array(columns[(c * n)..<((c + 1) * n)])
        var one = [Int](repeating: -1, count: n)
        d.withUnsafeBufferPointer { dp in
          e.withUnsafeBufferPointer { ep in
            one.withUnsafeMutableBufferPointer { o in
              NearestNeighbours.nearest(dp.baseAddress!, count: n, extra: ep.baseAddress!, into: o.baseAddress!) { _ in 0 }
            }
          }
        }
        XCTAssertEqual(Array(many[(position * n)..<((position + 1) * n)]), one, "n \(n), candidate \(c)")
        XCTAssertEqual(one, naive(d, e, n: n), "n \(n), candidate \(c)")
      }
    }
  }

  /// All 40 samples at one point: every other sample ties for each, and the reservoir must pick
  /// each of the 39 about equally often (chi-squared over 39 × 200 draws, threshold p ≈ 0.001).
  func testTiesAreBrokenUniformly() {
    let n = 40
    let d = [Double](repeating: 0, count: n * n)
    let zeros = [Double](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: n)
    var rng = SplitMix(seed: 7)
    for _ in 0..<200 {
      var out = [Int](repeating: -1, count: n)
      d.withUnsafeBufferPointer { dp in
        zeros.withUnsafeBufferPointer { z in
          out.withUnsafeMutableBufferPointer { o in
            NearestNeighbours.nearest(dp.baseAddress!, count: n, extra: z.baseAddress!, into: o.baseAddress!) {
              Int.random(in: 0..<$0, using: &rng)
            }
          }
        }
      }
      for (i, j) in out.enumerated() {
        XCTAssertNotEqual(i, j)
        counts[(j - i + n) % n] += 1
      }
    }
    XCTAssertEqual(counts[0], 0)
    let expected = Double(200 * n) / Double(n - 1)
    let chi2 = counts.dropFirst().reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    XCTAssertLessThan(chi2, 72, "χ² over 38 degrees of freedom; counts \(counts)")
  }

  func testResultDoesNotDependOnTheThreadCount() {
    let n = 100
    // Coarse values: many exact ties, each candidate's broken by its own seeded stream.
    var rng = SplitMix(seed: 7)
    let d = table((0..<n).map { _ in Double(Int.random(in: 0..<4, using: &rng)) }, n: n)
    let columns = (0..<(n * 20)).map { _ in Double(Int.random(in: 0..<3, using: &rng)) }
    let candidates = Array(0..<20)
    func run(threads: Int) -> [Int] {
      let saved = Parallel.threadCount
      Parallel.threadCount = threads
      defer { Parallel.threadCount = saved }
      var streams = (0..<candidates.count).map { UInt64($0 + 1) }
      var out = [Int](repeating: -1, count: n * candidates.count)
      d.withUnsafeBufferPointer { dp in
        columns.withUnsafeBufferPointer { c in
          candidates.withUnsafeBufferPointer { k in
            out.withUnsafeMutableBufferPointer { o in
              streams.withUnsafeMutableBufferPointer { s in
                NearestNeighbours.nearest(dp.baseAddress!, count: n, columns: c.baseAddress!, candidates: k, into: o.baseAddress!) {
                  position, tied in
                  // A tiny xorshift stream per candidate.
                  s[position] ^= s[position] << 13
                  s[position] ^= s[position] >> 7
                  s[position] ^= s[position] << 17
                  return Int(s[position] % UInt64(tied))
                }
              }
            }
          }
        }
      }
      return out
    }
    XCTAssertEqual(run(threads: 1), run(threads: 2))
    XCTAssertEqual(run(threads: 1), run(threads: 3))
  }
}

// GemmTests' seeded generator serves `Double.random(in:using:)` here, so every assertion is deterministic.
extension SplitMix: RandomNumberGenerator {}
