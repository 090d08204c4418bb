import LetheKernels

/// How this Lethe process computes, as result records state it: the GEMM backend (the two sum in
/// different orders, so results differ in their last bits between them), the compiler and the
/// build configuration (a debug build trains several times slower, which moves every timing).
public enum BuildEnvironment {
  /// The GEMM backend this process uses (`swift` or `blas`; chosen once per process, see
  /// `LETHE_GEMM`).
  public static var gemmBackend: String { Gemm.backend.rawValue }

  /// The compiler that built Lethe, to the minor version (e.g. "swiftc 6.3").
  public static let compiler: String = {
    #if compiler(>=7.0)
      return "swiftc ≥ 7.0"
    #elseif compiler(>=6.3)
      return "swiftc 6.3"
    #elseif compiler(>=6.2)
      return "swiftc 6.2"
    #elseif compiler(>=6.1)
      return "swiftc 6.1"
    #else
      return "swiftc 6.0"
    #endif
  }()

  /// "debug" or "release".
  public static let configuration: String = {
    #if DEBUG
      return "debug"
    #else
      return "release"
    #endif
  }()
}
