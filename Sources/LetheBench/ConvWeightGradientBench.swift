import Foundation
import LetheKernels

/// `--only dw`: the direct weight gradient (A: `Conv2dKernels.directWeightGradient`, the path a
/// dense output gradient takes, with its split between threads) against im2col + GEMM (B:
/// `Conv2dKernels.backward` with only gradW and gradB under a policy without direct kernels),
/// on every convolution of the CNN and ResNet-18 at batch 128, the 1×1 shortcuts included
/// (which production leaves to the GEMM). Alternating A, B, A, B… in one process, median of
/// `LETHE_BENCH_DW_RUNS` (default 7) runs each; prints both rates, A/B (time ratio, below 1 is
/// faster) and the largest difference between the two gradients. `LETHE_BENCH_DW_SHAPE` keeps
/// the shapes whose label contains it. `LETHE_BENCH_DW_MASKED=1`: instead, `backward` with a
/// ReLU mask (the chunked path) with the direct kernels on (A, as routed) and off (B).
func convWeightGradientBenchmark(_ report: BenchReport) {
  let env = ProcessInfo.processInfo.environment
  let runs = max(1, Int(env["LETHE_BENCH_DW_RUNS"] ?? "") ?? 7)
  let masked = env["LETHE_BENCH_DW_MASKED"] == "1"
  report.section(
    "Weight gradient at batch 128: A = direct kernel, B = im2col + GEMM (median of \(runs), alternating"
      + (masked ? ", ReLU-masked output gradient)" : ")"))
  let shapes: [(String, Conv2dShape)] = [
    ("cnn conv1 1→32 28²", dwShape(1, 28, 32, 0)),
    ("cnn conv2 32→64 26²", dwShape(32, 26, 64, 0)),
    ("rn18 stem 3→64 32²", dwShape(3, 32, 64, 1)),
    ("rn18 l1 64→64 32²", dwShape(64, 32, 64, 1)),
    ("rn18 l2 128→128 16²", dwShape(128, 16, 128, 1)),
    ("rn18 l3 256→256 8²", dwShape(256, 8, 256, 1)),
    ("rn18 l4 512→512 4²", dwShape(512, 4, 512, 1)),
    ("rn18 l2 64→128 s2", dwShape(64, 32, 128, 1, stride: 2)),
    ("rn18 l3 128→256 s2", dwShape(128, 16, 256, 1, stride: 2)),
    ("rn18 l4 256→512 s2", dwShape(256, 8, 512, 1, stride: 2)),
    ("rn18 l2 shortcut 1×1 s2", dwShape(64, 32, 128, 0, stride: 2, kernel: 1)),
    ("rn18 l3 shortcut 1×1 s2", dwShape(128, 16, 256, 0, stride: 2, kernel: 1)),
    ("rn18 l4 shortcut 1×1 s2", dwShape(256, 8, 512, 0, stride: 2, kernel: 1)),
  ]
  let filter = env["LETHE_BENCH_DW_SHAPE"]
  var noDirect = ConvPolicy.current
  noDirect.direct = false
  if let spec = env["LETHE_BENCH_DW_KERNEL"] {
    directKernelRate(report, spec: spec)
    return
  }
  for (label, g) in shapes {
    if let filter, !label.contains(filter) { continue }
    let p = g.outH * g.outW, o = g.outChannels, k = g.inChannels * g.kernelH * g.kernelW
    let flops = 2.0 * Double(g.batch * o * p * k)
    let sampleIn = g.inChannels * g.height * g.width
    let x = dwFilled(g.batch * sampleIn), w = dwFilled(o * k), gy = dwFilled(g.batch * o * p)
    let gwA = UnsafeMutablePointer<Float>.allocate(capacity: o * k)
    let gwB = UnsafeMutablePointer<Float>.allocate(capacity: o * k)
    let gbA = UnsafeMutablePointer<Float>.allocate(capacity: o)
    let gbB = UnsafeMutablePointer<Float>.allocate(capacity: o)
    defer {
      for ptr in [x, w, gy] { dwFree(ptr) }
      for ptr in [gwA, gwB, gbA, gbB] { ptr.deallocate() }
    }
    let runA: () -> Void, runB: () -> Void
    if masked {
      // The output doubles as the ReLU's output: about half its values are ≤ 0.
      let backward = { (policy: ConvPolicy, gw: UnsafeMutablePointer<Float>, gb: UnsafeMutablePointer<Float>) in
        Conv2dKernels.backward(
          g, x: x, weight: w, gradY: gy, reluOutput: gy, gradX: nil, gradW: gw, gradB: gb,
          policy: policy)
      }
      runA = { backward(.current, gwA, gbA) }
      runB = { backward(noDirect, gwB, gbB) }
    } else {
      runA = { Conv2dKernels.directWeightGradient(g, x: x, gradY: gy, gradW: gwA, gradB: gbA) }
      runB = {
        Conv2dKernels.backward(
          g, x: x, weight: w, gradY: gy, gradX: nil, gradW: gwB, gradB: gbB, policy: noDirect)
      }
    }
    runA()
    runB()
    var worst: Float = 0
    for i in 0..<(o * k) { worst = max(worst, abs(gwA[i] - gwB[i]) / max(abs(gwB[i]), 1)) }
    for i in 0..<o { worst = max(worst, abs(gbA[i] - gbB[i]) / max(abs(gbB[i]), 1)) }
    var timesA: [Double] = [], timesB: [Double] = []
    for _ in 0..<runs {
      timesA.append(secondsOf(runA))
      timesB.append(secondsOf(runB))
    }
    let a = dwMedian(timesA), b = dwMedian(timesB)
    var text = report.pad("  " + label, 26)
    text += String(
      format: "A %6.2f ms %6.1f GFLOP/s   B %6.2f ms %6.1f GFLOP/s   A/B %.2f   (max rel diff %.1e)",
      a * 1000, flops / a / 1e9, b * 1000, flops / b / 1e9, a / b, Double(worst))
    report.line(text)
  }
  let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
    .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
  report.line("  load average after: \(load)")
}

private func dwShape(
  _ c: Int, _ hw: Int, _ o: Int, _ pad: Int, stride: Int = 1, kernel: Int = 3
) -> Conv2dShape {
  Conv2dShape(
    batch: 128, inChannels: c, height: hw, width: hw, outChannels: o, kernelH: kernel,
    kernelW: kernel, stride: stride, padding: pad)
}

/// `LETHE_BENCH_DW_KERNEL=c,o,hw,samples`: the direct kernel alone on one call's worth of
/// samples (3×3, padding 1), repeated for about 3·10¹⁰ FLOPs, three times; its data stays in
/// the caches, so this is the kernel's own rate (no threads, no reduction across them).
private func directKernelRate(_ report: BenchReport, spec: String) {
  let v = spec.split(separator: ",").compactMap { Int($0) }
  guard v.count == 4, v.allSatisfy({ $0 > 0 }) else {
    report.line("  LETHE_BENCH_DW_KERNEL wants c,o,hw,samples (positive integers), got '\(spec)'")
    return
  }
  let g = Conv2dShape(
    batch: v[3], inChannels: v[0], height: v[2], width: v[2], outChannels: v[1], kernelH: 3,
    kernelW: 3, stride: 1, padding: 1)
  let p = g.outH * g.outW, k = v[0] * 9
  let x = dwFilled(v[3] * v[0] * p), gy = dwFilled(v[3] * v[1] * p)
  let gw = UnsafeMutablePointer<Float>.allocate(capacity: v[1] * k)
  defer {
    dwFree(x)
    dwFree(gy)
    gw.deallocate()
  }
  gw.update(repeating: 0, count: v[1] * k)
  let flops = 2.0 * Double(v[3] * v[1] * p * k)
  let reps = max(1, Int(3e10 / flops))
  for _ in 0..<3 {
    let t = secondsOf {
      for _ in 0..<reps {
        ConvWeightGradientDirect.accumulate(
          g, x: x, samples: v[3], gy: gy, sampleStride: v[1] * p, rowStride: p, gradW: gw,
          gradB: nil)
      }
    }
    report.line(String(format: "  kernel %@: %.1f GFLOP/s", spec, flops * Double(reps) / t / 1e9))
  }
}

/// `count` pseudo-random floats in [-1, 1), 64-byte aligned (free with `dwFree`).
private func dwFilled(_ count: Int) -> UnsafeMutablePointer<Float> {
  let p = UnsafeMutableRawPointer.allocate(byteCount: 4 * count, alignment: 64)
    .assumingMemoryBound(to: Float.self)
  var state: UInt32 = 2024
  for i in 0..<count {
    state = state &* 1_664_525 &+ 1_013_904_223
    p[i] = Float(Int32(bitPattern: state >> 8) - (1 << 23)) / Float(1 << 23)
  }
  return p
}

private func dwFree(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).deallocate() }

private func dwMedian(_ times: [Double]) -> Double {
  let t = times.sorted()
  return t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
}
