import Core
import Foundation
import LetheKernels

/// PyTorch 2.15 medians on this machine (2 threads), from issue 2.
enum PyTorchReference {
  static let cnnTrainStepMs = 78.0
  static let mlpTrainStepMs = 0.99
  static let resnet18TrainStepMs = 2200.0
  static let resnet18EvalMs = 1300.0
}

/// One SGD step (forward, cross-entropy, backward, update) at batch 128 for the CNN (1×28×28,
/// 10 classes), the MLP 600→256→100 and ResNet-18 (3×32×32, 10 classes), and ResNet-18 inference
/// at batch 256; records `cnn_train_step_ms`, `mlp_train_step_ms`, `resnet18_train_step_ms`,
/// `resnet18_eval_ms`. Each figure is the median of several timed runs after warm-up.
/// `include` selects cases by model name ("cnn", "mlp", "resnet18").
func trainStepBenchmarks(_ report: BenchReport, include: (String) -> Bool = { _ in true }) {
  if ProcessInfo.processInfo.environment["LETHE_BENCH_AB"] != nil {
    convPathComparison(report, include: include)
    return
  }
  report.section("Training steps (median after warm-up; ratio = Lethe / PyTorch, below 1 is faster)")
  var mlpOptions = Models.Options()
  mlpOptions.mlpHidden = [256]
  let cases: [(label: String, key: String, model: String, shape: [Int], classes: Int,
    options: Models.Options, warmup: Int, runs: Int, reference: Double)] = [
    ("cnn step, batch 128", "cnn_train_step_ms", "cnn", [1, 28, 28], 10, Models.Options(), 2, 7,
      PyTorchReference.cnnTrainStepMs),
    ("mlp step, batch 128", "mlp_train_step_ms", "mlp", [600], 100, mlpOptions, 20, 101,
      PyTorchReference.mlpTrainStepMs),
    ("resnet18 step, batch 128", "resnet18_train_step_ms", "resnet18", [3, 32, 32], 10,
      Models.Options(), 1, 3, PyTorchReference.resnet18TrainStepMs),
  ]
  for c in cases where include(c.model) {
    do {
      let ms = try trainStepMilliseconds(
        model: c.model, shape: c.shape, classes: c.classes, options: c.options, warmup: c.warmup,
        runs: c.runs)
      report.timeRow(c.label, ms: ms, pytorchMs: c.reference)
      report.set(c.key, .number(ms))
    } catch {
      report.timeRow(c.label, ms: nil, pytorchMs: c.reference, note: "failed: \(error)")
      report.set(c.key, .null)
    }
  }
  guard include("resnet18") else { return }
  do {
    let ms = try evalMilliseconds(model: "resnet18", shape: [3, 32, 32], classes: 10, batch: 256)
    report.timeRow("resnet18 eval, batch 256", ms: ms, pytorchMs: PyTorchReference.resnet18EvalMs)
    report.set("resnet18_eval_ms", .number(ms))
  } catch {
    report.timeRow(
      "resnet18 eval, batch 256", ms: nil, pytorchMs: PyTorchReference.resnet18EvalMs,
      note: "failed: \(error)")
    report.set("resnet18_eval_ms", .null)
  }
}

/// Median milliseconds of one SGD step (lr 0.01, momentum 0.9) at batch 128 on seeded data.
func trainStepMilliseconds(
  model name: String, shape: [Int], classes: Int, options: Models.Options, warmup: Int, runs: Int
) throws -> Double {
  let batch = 128
  let model = try Models.make(name, inputShape: shape, classes: classes, seed: 1, options: options)
  model.train()
  var rng = RandomGenerator(seed: 2)
  let x = Variable(Tensor.normal([batch] + shape, rng: &rng))
  let targets = (0..<batch).map { $0 % classes }
  let sgd = try SGD(parameters: model.parameters(), learningRate: 0.01, momentum: 0.9)
  var failure: Error?
  let seconds = medianSeconds(warmup: warmup, runs: runs) {
    do {
      sgd.zeroGrad()
      let loss = try Functional.crossEntropy(try model(x), targets: targets)
      try loss.backward()
      try sgd.step()
    } catch {
      failure = error
    }
  }
  if let failure { throw failure }
  return seconds * 1000
}

/// Median milliseconds of one inference pass (eval mode, no gradient graph) at `batch`.
func evalMilliseconds(model name: String, shape: [Int], classes: Int, batch: Int) throws -> Double {
  let model = try Models.make(name, inputShape: shape, classes: classes, seed: 1)
  model.eval()
  var rng = RandomGenerator(seed: 3)
  let x = Variable(Tensor.normal([batch] + shape, rng: &rng))
  var failure: Error?
  let seconds = medianSeconds(warmup: 1, runs: 2) {
    do {
      _ = try GradMode.withoutGrad { try model(x) }
    } catch {
      failure = error
    }
  }
  if let failure { throw failure }
  return seconds * 1000
}

/// With `LETHE_BENCH_AB` set: each selected model's train step (and ResNet-18's eval) built under
/// two convolution policies, alternating A, B, A, B... in one process; prints both medians
/// (`LETHE_BENCH_AB=N`: N runs each; `LETHE_BENCH_AB_EVAL_ONLY`: ResNet-18's eval only). A is
/// this process's policy (`ConvPolicy.current`); B is A with the `LETHE_CONV`-style switches of
/// `LETHE_BENCH_AB_B` applied (default `im2col`, the baseline; e.g. `unfused-pool`, `no-prepack`,
/// `no-direct`, `unfused-pool,no-prepack`), or `system-malloc`: A's models with glibc's default
/// allocator settings instead of `AllocatorTuning.keepFreedMemory`.
func convPathComparison(_ report: BenchReport, include: (String) -> Bool) {
  let env = ProcessInfo.processInfo.environment
  let runs = Int(env["LETHE_BENCH_AB"] ?? "") ?? 5
  let bVariant = env["LETHE_BENCH_AB_B"] ?? "im2col"
  let systemMalloc = bVariant == "system-malloc"
  let policyA = ConvPolicy.current
  let (policyB, unknown) = systemMalloc ? (policyA, []) : policyA.applying(bVariant)
  if !unknown.isEmpty {
    report.line("LETHE_BENCH_AB_B: unknown switches \(unknown.joined(separator: ", ")) ignored")
  }
  report.section(
    "Convolution paths, alternating runs (A = \(policyA), B = "
      + (systemMalloc ? "A with glibc's allocator defaults)" : "\(policyB))"))
  var cases: [(String, (ConvPolicy) throws -> () -> Void)] = []
  if include("cnn") {
    cases.append(("cnn step, batch 128", { try trainStepBody(model: "cnn", shape: [1, 28, 28], policy: $0) }))
  }
  if include("resnet18") {
    if env["LETHE_BENCH_AB_EVAL_ONLY"] == nil {
      cases.append(("resnet18 step, batch 128", {
        try trainStepBody(model: "resnet18", shape: [3, 32, 32], policy: $0)
      }))
    }
    cases.append(("resnet18 eval, batch 256", { try evalBody(model: "resnet18", shape: [3, 32, 32], policy: $0) }))
  }
  for (label, make) in cases {
    do {
      let bodies = [try make(policyA), try make(policyB)]
      let setAllocator = { (variant: Int) in
        if systemMalloc { AllocatorTuning.apply(keep: variant == 0) }
      }
      var times: [[Double]] = [[], []]
      for variant in [0, 1] {
        setAllocator(variant)
        bodies[variant]()
      }
      for _ in 0..<runs {
        for variant in [0, 1] {
          setAllocator(variant)
          times[variant].append(secondsOf(bodies[variant]) * 1000)
        }
      }
      setAllocator(0)
      let med = times.map { $0.sorted()[$0.count / 2] }
      report.line(
        report.pad(label, 28) + String(format: "A %.0f ms   B %.0f ms   A/B %.2f", med[0], med[1], med[0] / med[1]))
    } catch {
      report.line("\(label): failed: \(error)")
    }
  }
}

/// One SGD step at batch 128 on seeded data with the model built under `policy`, as a closure
/// (see `trainStepMilliseconds`).
func trainStepBody(model name: String, shape: [Int], policy: ConvPolicy) throws -> () -> Void {
  var options = Models.Options()
  options.convPolicy = policy
  let model = try Models.make(name, inputShape: shape, classes: 10, seed: 1, options: options)
  model.train()
  var rng = RandomGenerator(seed: 2)
  let x = Variable(Tensor.normal([128] + shape, rng: &rng))
  let targets = (0..<128).map { $0 % 10 }
  let sgd = try SGD(parameters: model.parameters(), learningRate: 0.01, momentum: 0.9)
  return {
    sgd.zeroGrad()
    let loss = try! Functional.crossEntropy(try! model(x), targets: targets)
    try! loss.backward()
    try! sgd.step()
  }
}

/// One inference pass at batch 256 without a graph, with the model built under `policy`, as a
/// closure.
func evalBody(model name: String, shape: [Int], policy: ConvPolicy) throws -> () -> Void {
  var options = Models.Options()
  options.convPolicy = policy
  let model = try Models.make(name, inputShape: shape, classes: 10, seed: 1, options: options)
  model.eval()
  var rng = RandomGenerator(seed: 3)
  let x = Variable(Tensor.normal([256] + shape, rng: &rng))
  return { _ = try! GradMode.withoutGrad { try model(x) } }
}
