import Foundation

/// Which convolution algorithms may run, and the machine facts the routing depends on: the input
/// of `ConvRouting.plan` besides the geometry. A value, never a global switch: `current` is read
/// once from the environment (`LETHE_CONV`), models keep the policy they were built with, and
/// benchmarks build their own values to compare algorithms in one process.
///
/// `LETHE_CONV` is a comma-separated list of switches, each turning something off:
/// `no-direct` (no direct kernels: implicit GEMM or im2col + GEMM instead), `im2col` (every
/// convolution on im2col columns + GEMM, the baseline: no direct kernels, no implicit GEMM),
/// `no-prepack` (the backward's input gradient packs Wᵀ on every chunk), `unfused-pool`
/// (models run Conv2d → ReLU → MaxPool2d as a fused convolution + ReLU and a separate max-pool).
/// Unknown switches are ignored and named in `currentNote`.
public struct ConvPolicy: Sendable, Equatable, CustomStringConvertible {
  /// The direct kernels (`ConvDirectForward`, `ConvWeightGradientDirect`) where they apply.
  public var direct = true
  /// The implicit GEMM forward (`ConvImplicitGemm`) where it applies, rather than im2col.
  public var implicitGemm = true
  /// The backward's input gradient through Wᵀ packed once per call (`ConvInputGradientGemm`).
  public var prepackWeights = true
  /// Models fuse Conv2d → ReLU → MaxPool2d into one primitive (decided when they are built).
  public var fusePooling = true
  /// The GEMM backend (the direct kernels and the packed Wᵀ are the Swift backend's).
  public var gemm: Gemm.Backend
  /// Whether the CPU has AVX-512F (the direct kernels' masked loads and FMAs).
  public var avx512: Bool

  /// Everything on, for `gemm` and `avx512` (by default this process's backend and CPU).
  public init(gemm: Gemm.Backend? = nil, avx512: Bool? = nil) {
    self.gemm = gemm ?? Gemm.backend
    self.avx512 = avx512 ?? GemmPacking.useAVX512
  }

  /// The switches `LETHE_CONV` and `applying` accept, each with what it turns off.
  public static let switches: [(name: String, meaning: String)] = [
    ("no-direct", "no direct convolution kernels"),
    ("im2col", "every convolution on im2col columns + GEMM"),
    ("no-prepack", "the input gradient packs Wᵀ per chunk"),
    ("unfused-pool", "Conv2d → ReLU → MaxPool2d not fused into one primitive"),
  ]

  /// This policy with the comma-separated `switches` applied, and the names it did not know.
  public func applying(_ switches: String) -> (policy: ConvPolicy, unknown: [String]) {
    var p = self
    var unknown: [String] = []
    for raw in switches.split(separator: ",") {
      switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
      case "": continue
      case "no-direct": p.direct = false
      case "im2col":
        p.direct = false
        p.implicitGemm = false
      case "no-prepack": p.prepackWeights = false
      case "unfused-pool": p.fusePooling = false
      default: unknown.append(String(raw))
      }
    }
    return (p, unknown)
  }

  /// The policy of this process: everything on, minus the switches of `LETHE_CONV`.
  public static let current = ConvPolicy().applying(environment ?? "").policy

  /// Why `current` is what it is: "" without `LETHE_CONV`, else the variable and any names it
  /// ignored (the benchmark prints it).
  public static let currentNote: String = {
    guard let value = environment else { return "" }
    let unknown = ConvPolicy().applying(value).unknown
    if unknown.isEmpty { return "LETHE_CONV=\(value)" }
    let valid = switches.map(\.name).joined(separator: ", ")
    return "LETHE_CONV=\(value) (ignored: \(unknown.joined(separator: ", ")); valid: \(valid))"
  }()

  private static let environment = ProcessInfo.processInfo.environment["LETHE_CONV"]

  /// The switches that are off, e.g. `"no-direct, unfused-pool"`, or `"all on"`; with the backend.
  public var description: String {
    var off: [String] = []
    if !implicitGemm && !direct {
      off.append("im2col")
    } else {
      if !direct { off.append("no-direct") }
      if !implicitGemm { off.append("no-implicit-gemm") }
    }
    if !prepackWeights { off.append("no-prepack") }
    if !fusePooling { off.append("unfused-pool") }
    return (off.isEmpty ? "all on" : off.joined(separator: ", "))
      + " (\(gemm.rawValue) GEMM\(avx512 ? ", AVX-512" : ""))"
  }
}
