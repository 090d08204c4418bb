import LetheKernels

/// PyTorch (MKL) GEMM at n = 2048 on this machine, from issue 2.
let pytorchGemm2048Gflops = 320.0

/// Square SGEMM GFLOP/s for both backends at n = 256…2048 (best of several calls, since other
/// processes share the cores); records `gemm`.
func gemmBenchmark(_ report: BenchReport, peak: Double?) {
  report.section("SGEMM n×n×n (best of several calls), backend in use: \(Gemm.backend.rawValue)")
  report.line("  why: \(Gemm.backendReason)")
  report.line("  OpenBLAS core: \(Gemm.openBLASCoreName)")
  let sizes = [256, 512, 1024, 2048]
  var byBackend: [(String, BenchValue)] = []
  for backend in Gemm.Backend.allCases {
    var bySize: [(String, BenchValue)] = []
    for n in sizes {
      let rate = gemmRate(backend: backend, n: n)
      bySize.append(("\(n)", .number(rate)))
      var text = report.pad("  \(backend.rawValue) n=\(n)", 28) + String(format: "%6.1f GFLOP/s", rate)
      if let peak { text += String(format: "  %3.0f%% of peak", 100 * rate / peak) }
      if n == 2048 {
        text += String(format: "  PyTorch ~%.0f  ratio %.2f×", pytorchGemm2048Gflops,
          rate / pytorchGemm2048Gflops)
      }
      report.line(text)
    }
    byBackend.append((backend.rawValue, .object(bySize)))
  }
  report.set("gemm", .object(byBackend))
}

/// Best GFLOP/s of `backend` on n×n×n over ~0.4 s of calls (at least 3) after one warm-up.
func gemmRate(backend: Gemm.Backend, n: Int) -> Double {
  // 64-byte aligned, like the tensors of a training step after warm-up would mostly be.
  let a = UnsafeMutablePointer<Float>.aligned(n * n), b = UnsafeMutablePointer<Float>.aligned(n * n)
  let c = UnsafeMutablePointer<Float>.aligned(n * n)
  defer { a.deallocate(); b.deallocate(); c.deallocate() }
  for i in 0..<(n * n) {
    a[i] = Float(i % 13) * 0.1 - 0.6
    b[i] = Float(i % 7) * 0.2 - 0.6
  }
  let run = {
    Gemm.sgemm(
      backend: backend, transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
      a: a, lda: n, b: b, ldb: n, beta: 0, c: c, ldc: n)
  }
  run()
  var best = Double.infinity, spent = 0.0, calls = 0
  while calls < 3 || (spent < 0.4 && calls < 50) {
    let t = secondsOf(run)
    best = min(best, t)
    spent += t
    calls += 1
  }
  return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
}

extension UnsafeMutablePointer where Pointee == Float {
  /// `count` floats at a 64-byte boundary (release with `deallocate()`).
  static func aligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: count)
  }
}
