import Foundation

/// Picks the GEMM backend once per process: `LETHE_GEMM=swift|blas` if set; otherwise Lethe's own
/// kernels on a CPU with AVX-512 (what they are written for), or with AVX2 and FMA when OpenBLAS
/// runs a kernel set older than the CPU (Debian's OpenBLAS 0.3.21 calls Emerald Rapids "Prescott"
/// and uses its SSE3 kernels); otherwise OpenBLAS. OPENBLAS_CORETYPE is never set or changed.
///
/// The rule depends only on the CPU, never on a timing: the two backends sum in different orders,
/// so a choice made by measuring (as before) let two processes on one machine, or a loaded and an
/// idle run, produce results that differ in their last bits.
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
    return choose(core: GemmBLAS.coreName, vectorISA: hostVectorISA(), note: note)
  }

  /// The rule of `make` for a given OpenBLAS core name and host vector ISA.
  static func choose(core: String, vectorISA: String?, note: String = "") -> GemmBackendChoice {
    if vectorISA == "AVX-512" {
      return GemmBackendChoice(backend: .swift, reason: note + "AVX-512 CPU (OpenBLAS core '\(core)')")
    }
    if preAVX2Cores.contains(core.lowercased()), let vectorISA {
      return GemmBackendChoice(
        backend: .swift,
        reason: note + "OpenBLAS reports core '\(core)' (pre-AVX2 kernels) on a CPU with \(vectorISA)")
    }
    return GemmBackendChoice(
      backend: .blas, reason: note + "OpenBLAS core '\(core)' on a CPU with \(vectorISA ?? "no AVX2")")
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
}
