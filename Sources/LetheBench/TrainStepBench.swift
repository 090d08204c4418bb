/// PyTorch 2.15 medians on this machine (2 threads), from issue 2.
enum PyTorchReference {
  static let cnnTrainStepMs = 78.0
  static let mlpTrainStepMs = 0.99
  static let resnet18TrainStepMs = 2200.0
  static let resnet18EvalMs = 1300.0
}

/// One SGD step at batch 128 for the CNN, the MLP and ResNet-18, and ResNet-18 inference at
/// batch 256; records `cnn_train_step_ms`, `mlp_train_step_ms`, `resnet18_train_step_ms`,
/// `resnet18_eval_ms`.
func trainStepBenchmarks(_ report: BenchReport) {
  report.section("Training steps (median after warm-up)")
  let note = "not measured: models not merged yet"
  let rows: [(String, String, Double)] = [
    ("cnn step, batch 128", "cnn_train_step_ms", PyTorchReference.cnnTrainStepMs),
    ("mlp step, batch 128", "mlp_train_step_ms", PyTorchReference.mlpTrainStepMs),
    ("resnet18 step, batch 128", "resnet18_train_step_ms", PyTorchReference.resnet18TrainStepMs),
    ("resnet18 eval, batch 256", "resnet18_eval_ms", PyTorchReference.resnet18EvalMs),
  ]
  for (label, key, reference) in rows {
    report.timeRow(label, ms: nil, pytorchMs: reference, note: note)
    report.set(key, .null)
  }
}
