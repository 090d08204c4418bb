import Foundation

/// Picks the GEMM backend once per process: `LETHE_GEMM=swift|blas` if set; otherwise Lethe's own
/// kernels when OpenBLAS runs a kernel set older than the CPU (Debian's OpenBLAS 0.3.21 calls
/// Emerald Rapids "Prescott" and uses its SSE3 kernels); otherwise the faster of the two on a short
/// measurement. OPENBLAS_CORETYPE is never set or changed.
struct GemmBackendChoice: Sendable {
  /// The chosen backend.
  let backend: Gemm.Backend
  /// Why it was chosen, for logs and the benchmark.
  let reason: String

  /// The choice for this process, made on first use.
  static let current = GemmBackendChoice.make(
    environment: ProcessInfo.processInfo.environment["LETHE_GEMM"])

  /// OpenBLAS core names whose kernels predate AVX2 (see OpenBLAS's `cpuid_x86.c` corename table).
  static let preAVX2Cores: Set<String> = [
    "prescott", "core2", "penryn", "dunnington", "nehalem", "sandybridge", "atom", "katmai",
    "coppermine", "northwood", "banias", "yonah", "opteron", "barcelona", "bobcat", "bulldozer",
    "piledriver", "steamroller", "athlon", "unknown",
  ]

  static func make(environment value: String?) -> GemmBackendChoice {
    var note = ""
    if let value {
      let wanted = value.lowercased().trimmingCharacters(in: .whitespaces)
      if let backend = Gemm.Backend(rawValue: wanted) {
        return GemmBackendChoice(backend: backend, reason: "LETHE_GEMM=\(wanted)")
      }
      note = "LETHE_GEMM='\(value)' ignored (expected swift or blas); "
    }
    let core = GemmBLAS.coreName
    let vectorISA = hostVectorISA()
    if preAVX2Cores.contains(core.lowercased()), let vectorISA {
      return GemmBackendChoice(
        backend: .swift,
        reason: note + "OpenBLAS reports core '\(core)' (pre-AVX2 kernels) on a CPU with \(vectorISA)")
    }
    let swiftRate = measure(.swift), blasRate = measure(.blas)
    let backend: Gemm.Backend = swiftRate >= blasRate ? .swift : .blas
    let figures = String(format: "swift %.0f vs blas %.0f GFLOP/s at n=256", swiftRate, blasRate)
    return GemmBackendChoice(
      backend: backend, reason: note + "OpenBLAS core '\(core)'; measured \(figures)")
  }

  /// "AVX-512" or "AVX2" when /proc/cpuinfo lists them, else nil.
  static func hostVectorISA() -> String? {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return nil }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    if flags.contains("avx512f") { return "AVX-512" }
    if flags.contains("avx2") && flags.contains("fma") { return "AVX2" }
    return nil
  }

  /// Best-of-three GFLOP/s of `backend` on a 256³ product (a few milliseconds in all).
  static func measure(_ backend: Gemm.Backend) -> Double {
    let n = 256
    var a = [Float](repeating: 0, count: n * n), b = a, c = a
    for i in 0..<(n * n) {
      a[i] = Float(i % 7) * 0.25 - 0.5
      b[i] = Float(i % 5) * 0.5 - 1
    }
    var best = Double.infinity
    for _ in 0..<4 {
      let start = DispatchTime.now().uptimeNanoseconds
      Gemm.sgemm(
        backend: backend, transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
        a: a, lda: n, b: b, ldb: n, beta: 0, c: &c, ldc: n)
      best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
    }
    return 2 * Double(n * n * n) / best
  }
}
