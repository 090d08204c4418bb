import Foundation

/// Measures this machine's single-precision FMA throughput: independent chains of fused
/// multiply-adds on SIMD16<Float> (AVX-512 registers), on every thread of `Parallel`.
public enum PeakFlops {
  /// Best GFLOP/s over `trials` runs of about `seconds` each on `threads` threads (default
  /// `Parallel.threadCount`). One FMA on 16 lanes counts as 32 floating-point operations.
  public static func measure(threads: Int? = nil, seconds: Double = 0.1, trials: Int = 5) -> Double {
    let threads = max(1, threads ?? Parallel.threadCount)
    let iterationsPerMs = calibrate()
    // Eight items per thread: a thread that starts late (or shares its core with another
    // process) leaves its share to the others instead of stretching the whole run.
    let items = 8 * threads
    let iterations = max(1_000, Int(Double(iterationsPerMs) * seconds * 1000) / 8)
    var best = 0.0
    for trial in -1..<trials {
      let start = DispatchTime.now().uptimeNanoseconds
      Parallel.forEachWorker(count: items, threads: threads) { _, _ in
        sink(chains(iterations: iterations))
      }
      let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
      // Trial -1 only wakes the workers.
      if trial >= 0 { best = max(best, Double(items * iterations * flopsPerIteration) / elapsed) }
    }
    return best
  }

  /// Twelve independent accumulators: enough to cover the FMA latency on two FMA ports.
  static let flopsPerIteration = 12 * 16 * 2

  /// Iterations of `chains` per millisecond on one thread (rough).
  private static func calibrate() -> Int {
    let probe = 20_000
    let start = DispatchTime.now().uptimeNanoseconds
    sink(chains(iterations: probe))
    let ns = max(1.0, Double(DispatchTime.now().uptimeNanoseconds - start))
    return max(1, Int(Double(probe) * 1e6 / ns))
  }

  /// Runs `iterations` steps of the twelve FMA chains (12·16·2 flops each); returns their sum.
  @inline(never)
  public static func chains(iterations: Int) -> Float {
    typealias V = SIMD16<Float>
    let x = V(repeating: 0.999_999), y = V(repeating: 1e-7)
    var a0 = V(repeating: 1), a1 = V(repeating: 2), a2 = V(repeating: 3), a3 = V(repeating: 4)
    var a4 = V(repeating: 5), a5 = V(repeating: 6), a6 = V(repeating: 7), a7 = V(repeating: 8)
    var a8 = V(repeating: 9), a9 = V(repeating: 10), a10 = V(repeating: 11), a11 = V(repeating: 12)
    for _ in 0..<iterations {
      a0 = y.addingProduct(a0, x); a1 = y.addingProduct(a1, x)
      a2 = y.addingProduct(a2, x); a3 = y.addingProduct(a3, x)
      a4 = y.addingProduct(a4, x); a5 = y.addingProduct(a5, x)
      a6 = y.addingProduct(a6, x); a7 = y.addingProduct(a7, x)
      a8 = y.addingProduct(a8, x); a9 = y.addingProduct(a9, x)
      a10 = y.addingProduct(a10, x); a11 = y.addingProduct(a11, x)
    }
    let sum = (a0 + a1 + a2 + a3) + (a4 + a5 + a6 + a7) + (a8 + a9 + a10 + a11)
    return sum.sum()
  }

  @inline(never)
  private static func sink(_ value: Float) {
    if value == .infinity { print("", terminator: "") }
  }
}
