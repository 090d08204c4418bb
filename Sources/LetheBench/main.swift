// lethe-bench: Lethe's speed against the machine's FMA peak and PyTorch's figures (issue 2).
// Usage: lethe-bench [--json] [--threads N] [--only peak,parallel,gemm,train,data]\n       (gemm-shapes: the CNN step's GEMMs; conv-shapes: every convolution's kernels; train-cnn, train-mlp, train-resnet18: single models)
// Each section lives in its own file and records its JSON keys in the shared `BenchReport`.
import Foundation
import LetheKernels

AllocatorTuning.keepFreedMemory()
var jsonMode = false
var only: Set<String>? = nil
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  switch argument {
  case "--json": jsonMode = true
  case "--threads":
    guard let value = arguments.popFirst().flatMap({ Int($0) }), value > 0 else {
      FileHandle.standardError.write(Data("lethe-bench: --threads needs a positive integer\n".utf8))
      exit(2)
    }
    Parallel.threadCount = value
  case "--only":
    only = Set((arguments.popFirst() ?? "").split(separator: ",").map(String.init))
  case "-h", "--help":
    print("usage: lethe-bench [--json] [--threads N] [--only peak,parallel,gemm,train,data]\n       (gemm-shapes: the CNN step's GEMMs; conv-shapes: every convolution's kernels; train-cnn, train-mlp, train-resnet18: single models)")
    exit(0)
  default:
    FileHandle.standardError.write(Data("lethe-bench: unknown argument '\(argument)'\n".utf8))
    exit(2)
  }
}
let sections = only
@MainActor func wanted(_ section: String) -> Bool { sections?.contains(section) ?? true }

let report = BenchReport(jsonMode: jsonMode)
let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
  .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
report.line(
  "lethe-bench: \(Parallel.threadCount) threads, \(Parallel.activeCores) active cores, "
    + "load average \(loadAverage) (other processes on these cores lower every figure)")
report.line(
  "convolutions: \(ConvPolicy.current)"
    + (ConvPolicy.currentNote.isEmpty ? "" : " from \(ConvPolicy.currentNote)"))
// Keys in the order; sections overwrite them with what they measure.
for key in ["peak_gflops", "gemm", "cnn_train_step_ms", "mlp_train_step_ms", "resnet18_train_step_ms",
  "resnet18_eval_ms", "fashion_mnist_epoch_s"]
{
  report.set(key, .null)
}

let peak = wanted("peak") ? peakBenchmark(report) : nil
if wanted("parallel") { parallelBenchmark(report) }
if wanted("gemm") { gemmBenchmark(report, peak: peak) }
if sections?.contains("gemm-shapes") ?? false { gemmShapeBenchmark(report) }
if sections?.contains("conv-shapes") ?? false { convShapeBenchmark(report, peak: peak) }
if sections?.contains("dw") ?? false { convWeightGradientBenchmark(report) }
if wanted("train") {
  trainStepBenchmarks(report)
} else if let sections, sections.contains(where: { $0.hasPrefix("train-") }) {
  trainStepBenchmarks(report) { sections.contains("train-" + $0) }
}
if wanted("data") {
  dataBenchmarks(report)
}

if jsonMode { print(report.json) }
