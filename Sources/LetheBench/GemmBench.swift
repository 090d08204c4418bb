import Foundation
import LetheKernels

/// PyTorch (MKL) GEMM at n = 2048 on this machine, from issue 2.
let pytorchGemm2048Gflops = 320.0

/// Square SGEMM GFLOP/s for both backends at n = 256…2048 (best of several calls, since other
/// processes share the cores); records `gemm`. The calls of each size are spread over three
/// passes through the sizes, as the peak's trials are spread over time: this VM has spells of a
/// few seconds in which cache-bound code runs ~20% slower (other tenants on the same cores)
/// while the FMA peak does not move, and one contiguous window per size can fall into one.
func gemmBenchmark(_ report: BenchReport, peak: Double?) {
  report.section("SGEMM n×n×n (best of several calls), backend in use: \(Gemm.backend.rawValue)")
  report.line("  why: \(Gemm.backendReason)")
  report.line("  OpenBLAS core: \(Gemm.openBLASCoreName)")
  let sizes = [256, 512, 1024, 2048]
  var byBackend: [(String, BenchValue)] = []
  for backend in Gemm.Backend.allCases {
    var best = [Double](repeating: 0, count: sizes.count)
    for pass in 0..<3 {
      for (i, n) in sizes.enumerated() {
        let rate = gemmRate(
          backend: backend, m: n, n: n, k: n, transA: false, transB: false, seconds: 0.15,
          minCalls: 1, warmUp: pass == 0)
        best[i] = max(best[i], rate)
      }
    }
    var bySize: [(String, BenchValue)] = []
    for (i, n) in sizes.enumerated() {
      let rate = best[i]
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
  // OpenBLAS's threads spin for a while after each call; let them go to sleep before timing
  // anything else on these two cores.
  Thread.sleep(forTimeInterval: 0.3)
}

/// Best GFLOP/s of `backend` on n×n×n over ~0.4 s of calls (at least 3) after one warm-up.
func gemmRate(backend: Gemm.Backend, n: Int) -> Double {
  gemmRate(backend: backend, m: n, n: n, k: n, transA: false, transB: false)
}

/// Best GFLOP/s of `backend` on one m×n×k product over ~`seconds` of calls (at least
/// `minCalls`) after one warm-up call (unless `warmUp` is false), on 64-byte aligned operands.
func gemmRate(
  backend: Gemm.Backend, m: Int, n: Int, k: Int, transA: Bool, transB: Bool, seconds: Double = 0.4,
  minCalls: Int = 3, warmUp: Bool = true
) -> Double {
  let a = UnsafeMutablePointer<Float>.aligned(m * k), b = UnsafeMutablePointer<Float>.aligned(k * n)
  let c = UnsafeMutablePointer<Float>.aligned(m * n)
  defer { a.deallocate(); b.deallocate(); c.deallocate() }
  for i in 0..<(m * k) { a[i] = Float(i % 13) * 0.1 - 0.6 }
  for i in 0..<(k * n) { b[i] = Float(i % 7) * 0.2 - 0.6 }
  let run = {
    Gemm.sgemm(
      backend: backend, transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
      a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n, beta: 0, c: c, ldc: n)
  }
  if warmUp { run() }
  var best = Double.infinity, spent = 0.0, calls = 0
  while calls < minCalls || (spent < seconds && calls < 50) {
    let t = secondsOf(run)
    best = min(best, t)
    spent += t
    calls += 1
  }
  return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
}

extension UnsafeMutablePointer where Pointee == Float {
  /// `count` floats at a 64-byte boundary (release with `deallocate()`).
  static func aligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: count)
  }
}

/// GFLOP/s of both backends on GEMMs of the CNN and ResNet-18 training steps (as Core's conv2d
/// lowers them into chunks of samples), printed only: a guide for tuning.
func gemmShapeBenchmark(_ report: BenchReport) {
  report.section("SGEMM on training-step shapes (m×n×k, op)")
  let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
    ("conv2 fwd 64×6912×288 NN", 64, 6912, 288, false, false),
    ("conv2 dW 64×288×6912 NT", 64, 288, 6912, false, true),
    ("conv2 dX 288×6912×64 TN", 288, 6912, 64, true, false),
    ("conv1 fwd 32×86528×9 NN", 32, 86528, 9, false, false),
    ("fc1 fwd 128×128×9216 NT", 128, 128, 9216, false, true),
    ("fc1 dW 128×9216×128 TN", 128, 9216, 128, true, false),
    ("mlp fwd 128×256×600 NT", 128, 256, 600, false, true),
    ("rn18 l1 fwd 64×3072×576 NN", 64, 3072, 576, false, false),
    ("rn18 l1 dW 64×576×3072 NT", 64, 576, 3072, false, true),
    ("rn18 l1 dX 576×3072×64 TN", 576, 3072, 64, true, false),
    ("rn18 l4 fwd 512×448×4608 NN", 512, 448, 4608, false, false),
    ("rn18 l4 dW 512×4608×448 NT", 512, 4608, 448, false, true),
    ("rn18 l4 dX 4608×448×512 TN", 4608, 448, 512, true, false),
  ]
  for (label, m, n, k, ta, tb) in shapes {
    var text = report.pad("  " + label, 30)
    for backend in Gemm.Backend.allCases {
      let rate = gemmRate(backend: backend, m: m, n: n, k: k, transA: ta, transB: tb)
      text += String(format: "  %@ %6.1f", backend.rawValue, rate)
    }
    report.line(text + "  GFLOP/s")
  }
}
