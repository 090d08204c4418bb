import Foundation
import LetheKernels

/// GFLOP/s of the convolution kernels on every distinct convolution of ResNet-18 (CIFAR stem) and
/// the CNN at batch 128: forward, and backward (input and weight gradients together), each the
/// best of a few calls. Printed only (`--only conv-shapes`): a guide for tuning, which shows
/// where a whole step loses time against the GEMM benchmark's rate.
func convShapeBenchmark(_ report: BenchReport, peak: Double?) {
  report.section("Convolutions at batch 128 (best of 3; fwd = forward, dX = input gradient, dW = weight and bias gradients)")
  let shapes: [(String, Conv2dShape, count: Int)] = [
    ("cnn conv1 1→32 28²", shape(1, 28, 32, 3, 1, 0), 1),
    ("cnn conv2 32→64 26²", shape(32, 26, 64, 3, 1, 0), 1),
    ("rn18 stem 3→64 32²", shape(3, 32, 64, 3, 1, 1), 1),
    ("rn18 l1 64→64 32²", shape(64, 32, 64, 3, 1, 1), 4),
    ("rn18 l2 64→128 s2", shape(64, 32, 128, 3, 2, 1), 1),
    ("rn18 l2 128→128 16²", shape(128, 16, 128, 3, 1, 1), 3),
    ("rn18 l3 128→256 s2", shape(128, 16, 256, 3, 2, 1), 1),
    ("rn18 l3 256→256 8²", shape(256, 8, 256, 3, 1, 1), 3),
    ("rn18 l4 256→512 s2", shape(256, 8, 512, 3, 2, 1), 1),
    ("rn18 l4 512→512 4²", shape(512, 4, 512, 3, 1, 1), 3),
    ("rn18 l2 shortcut 1×1 s2", shape(64, 32, 128, 1, 2, 0), 1),
    ("rn18 l3 shortcut 1×1 s2", shape(128, 16, 256, 1, 2, 0), 1),
    ("rn18 l4 shortcut 1×1 s2", shape(256, 8, 512, 1, 2, 0), 1),
  ]
  var totalFwd = 0.0, totalBwd = 0.0
  // The process's policy (LETHE_CONV=im2col: every convolution on im2col + GEMM, to compare).
  let policy = ConvPolicy.current
  var noDirect = policy
  noDirect.direct = false
  // LETHE_BENCH_CONV_FILTER=text: only the shapes whose label contains it (for profiling one).
  let filter = ProcessInfo.processInfo.environment["LETHE_BENCH_CONV_FILTER"]
  for (label, g, count) in shapes where filter.map({ label.contains($0) }) ?? true {
    let flops = 2.0 * Double(g.batch * g.outChannels * g.outH * g.outW)
      * Double(g.inChannels * g.kernelH * g.kernelW)
    let xCount = g.batch * g.inChannels * g.height * g.width
    let yCount = g.batch * g.outChannels * g.outH * g.outW
    let wCount = g.outChannels * g.inChannels * g.kernelH * g.kernelW
    let x = filled(xCount), w = filled(wCount), gy = filled(yCount)
    let y = UnsafeMutablePointer<Float>.allocate(capacity: Conv2dKernels.rowsOutputCount(g))
    let gx = UnsafeMutablePointer<Float>.allocate(capacity: xCount)
    let gw = UnsafeMutablePointer<Float>.allocate(capacity: wCount)
    let gb = UnsafeMutablePointer<Float>.allocate(capacity: g.outChannels)
    defer {
      for p in [x, w, gy, y, gx, gw, gb] { p.deallocate() }
    }
    if let ab = ProcessInfo.processInfo.environment["LETHE_BENCH_CONV_AB"], let runs = Int(ab) {
      // A = the direct kernels where they apply, B = without them; alternating, medians. The
      // forward is `forwardRows`, as the CNN's fused convolution + pooling calls it.
      var times = [[Double]](repeating: [], count: 4)
      for _ in 0..<runs {
        for (v, variant) in [policy, noDirect].enumerated() {
          times[v].append(
            secondsOf { _ = Conv2dKernels.forwardRows(g, x: x, weight: w, bias: nil, y: y, policy: variant) })
          times[v + 2].append(
            secondsOf {
              Conv2dKernels.backward(
                g, x: x, weight: w, gradY: gy, gradX: gx, gradW: nil, gradB: nil, policy: variant)
            })
        }
      }
      let med = times.map { $0.sorted()[$0.count / 2] }
      report.line(
        report.pad("  " + label, 28)
          + String(
            format: "fwd A %6.1f B %6.1f GFLOP/s A/B %.2f   dX A %6.1f B %6.1f A/B %.2f",
            flops / med[0] / 1e9, flops / med[1] / 1e9, med[0] / med[1], flops / med[2] / 1e9,
            flops / med[3] / 1e9, med[2] / med[3]))
      continue
    }
    let fwd = bestSeconds {
      Conv2dKernels.forward(g, x: x, weight: w, bias: nil, y: y, policy: policy)
    }
    // The stem's input gradient is never needed (the image is not trained).
    let wantX = g.inChannels > 3
    let bwdX = wantX
      ? bestSeconds {
        Conv2dKernels.backward(
          g, x: x, weight: w, gradY: gy, gradX: gx, gradW: nil, gradB: nil, policy: policy)
      } : 0
    let bwdW = bestSeconds {
      Conv2dKernels.backward(
        g, x: x, weight: w, gradY: gy, gradX: nil, gradW: gw, gradB: gb, policy: policy)
    }
    let bwd = bwdX + bwdW
    let bwdFlops = flops * (wantX ? 2 : 1)
    if label.hasPrefix("rn18") {
      totalFwd += fwd * Double(count)
      totalBwd += bwd * Double(count)
    }
    var text = report.pad("  " + label + (count > 1 ? " ×\(count)" : ""), 28)
    text += String(format: "fwd %6.2f ms %6.1f GFLOP/s", fwd * 1000, flops / fwd / 1e9)
    text += String(format: "   dX %6.1f   dW %6.1f GFLOP/s", wantX ? flops / bwdX / 1e9 : 0.0, flops / bwdW / 1e9)
    if let peak {
      text += String(
        format: "   (%2.0f%% / %2.0f%% of peak)", flops / fwd / 1e9 / peak * 100,
        bwdFlops / bwd / 1e9 / peak * 100)
    }
    report.line(text)
  }
  report.line(
    String(
      format: "  rn18 convolutions in all: fwd %.0f ms, bwd %.0f ms (one batch-128 step's share)",
      totalFwd * 1000, totalBwd * 1000))
}

private func shape(_ c: Int, _ hw: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int) -> Conv2dShape {
  Conv2dShape(
    batch: 128, inChannels: c, height: hw, width: hw, outChannels: o, kernelH: k, kernelW: k,
    stride: s, padding: p)
}

private func filled(_ count: Int) -> UnsafeMutablePointer<Float> {
  let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
  var state: UInt32 = 12345
  for i in 0..<count {
    state = state &* 1_664_525 &+ 1_013_904_223
    p[i] = Float(Int32(bitPattern: state >> 8) - (1 << 23)) / Float(1 << 23)
  }
  return p
}

private func bestSeconds(_ body: () -> Void) -> Double {
  body()
  var best = Double.infinity
  for _ in 0..<3 { best = min(best, secondsOf(body)) }
  return best
}
