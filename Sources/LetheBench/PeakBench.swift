import LetheKernels

/// PyTorch-side figure from issue 2: the FMA peak measured on this machine (both cores).
let pytorchPeakGflops = 335.0

/// Measures the FMA peak (both cores and one) and records `peak_gflops`; returns it.
func peakBenchmark(_ report: BenchReport) -> Double {
  report.section("FMA peak (SIMD16<Float> chains)")
  let all = PeakFlops.measure()
  let one = PeakFlops.measure(threads: 1)
  report.line(report.pad("peak, \(Parallel.threadCount) threads", 28)
    + String(format: "%.0f GFLOP/s   (issue's figure ~%.0f)", all, pytorchPeakGflops))
  report.line(report.pad("peak, 1 thread", 28) + String(format: "%.0f GFLOP/s", one))
  report.set("peak_gflops", .number(all))
  return all
}
