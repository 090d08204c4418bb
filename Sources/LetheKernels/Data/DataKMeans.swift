/// Inner loops of Lloyd's k-means over Float rows: nearest-centre assignment (through GEMM, as
/// ‖x‖² − 2x·c + ‖c‖²) and distance updates for k-means++ seeding.
public enum DataKMeansKernel {
  /// For each of the `m` rows of `x` (m×d), the index of the nearest of `k` centres (k×d) and the
  /// squared distance to it. `centerNorms` holds ‖c‖²; `scratch` has room for m·k Floats.
  public static func nearest(
    x: UnsafePointer<Float>, m: Int, d: Int, centers: UnsafePointer<Float>, k: Int,
    centerNorms: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>
  ) {
    Gemm.sgemm(
      transA: false, transB: true, m: m, n: k, k: d, alpha: -2, a: x, lda: d, b: centers, ldb: d,
      beta: 0, c: scratch, ldc: k)
    for i in 0..<m {
      let row = x + i * d
      var norm: Float = 0
      for j in 0..<d { norm += row[j] * row[j] }
      let s = scratch + i * k
      var best = 0
      var bestValue = s[0] + centerNorms[0]
      for c in 1..<k {
        let v = s[c] + centerNorms[c]
        if v < bestValue { bestValue = v; best = c }
      }
      labels[i] = Int32(best)
      distances[i] = max(0, bestValue + norm)
    }
  }

  /// minDistance[i] = min(minDistance[i], ‖x_i − center‖²) for the `m` rows of `x`.
  public static func updateMinDistance(
    x: UnsafePointer<Float>, m: Int, d: Int, center: UnsafePointer<Float>,
    minDistance: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<m {
      let row = x + i * d
      var s: Float = 0
      for j in 0..<d {
        let t = row[j] - center[j]
        s += t * t
      }
      if s < minDistance[i] { minDistance[i] = s }
    }
  }

  /// Adds each row of `x` into the sum of its cluster (`sums` is k×d, `counts` k).
  public static func accumulate(
    x: UnsafePointer<Float>, m: Int, d: Int, labels: UnsafePointer<Int32>,
    sums: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Int>
  ) {
    for i in 0..<m {
      let c = Int(labels[i])
      let row = x + i * d, s = sums + c * d
      for j in 0..<d { s[j] += Double(row[j]) }
      counts[c] += 1
    }
  }

  /// Raw byte rows to Floats (value · scale).
  public static func widen(
    src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<Float>, count: Int, scale: Float
  ) {
    for i in 0..<count { dst[i] = Float(src[i]) * scale }
  }
}
