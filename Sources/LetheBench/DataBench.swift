// Data section of lethe-bench: dataset load times (first and cached), batch building, and one
// training epoch of the CNN on Fashion-MNIST ("fashion_mnist_epoch_s").
import Core
import Foundation

/// Loads every dataset at hand, times it, builds batches, and trains the CNN for one epoch on
/// Fashion-MNIST (stopped after 60 s and extrapolated, saying so, when slower than that).
@MainActor func dataBenchmarks(_ report: BenchReport) {
  report.section("Data (loads from files; CIFAR-10 JPEG first into an empty cache, then cached)")
  let cacheFolder = NSTemporaryDirectory() + "lethe-bench-cache-\(getpid())"
  defer { try? FileManager.default.removeItem(atPath: cacheFolder) }
  let catalog = DatasetCatalog(cache: DataCache(directory: cacheFolder))
  var loads: [(String, BenchValue)] = []
  var fashion: DatasetSplits?

  func timeLoad(_ label: String, _ key: String, _ name: String) -> DatasetSplits? {
    do {
      let start = DispatchTime.now().uptimeNanoseconds
      let cpuStart = processCPUSeconds()
      let splits = try catalog.load(name)
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      let cpu = processCPUSeconds() - cpuStart
      report.line(
        report.pad(label, 34) + String(format: "%7.3f s (CPU %.3f s)", seconds, cpu)
          + "  \(splits.train.sampleCount)+\(splits.test.sampleCount) samples"
          + (splits.fromCache ? ", from cache" : "") + "  (\(splits.location))")
      loads.append((key, .number(seconds)))
      return splits
    } catch {
      report.line(report.pad(label, 34) + "not measured: \(error)")
      loads.append((key, .null))
      return nil
    }
  }

  fashion = timeLoad("fashion-mnist (gzipped IDX)", "fashion_mnist_s", "fashion-mnist")
  _ = timeLoad("mnist (gzipped IDX)", "mnist_s", "mnist")
  let cifar = timeLoad("cifar10 JPEG, first load", "cifar10_jpeg_first_s", "cifar10")
  _ = timeLoad("cifar10 JPEG, cached load", "cifar10_jpeg_cached_s", "cifar10")
  report.set("data_load_s", .object(loads))

  if let cifar {
    let source = AugmentedSource(
      cifar.train, augmentation: Augmentation(padding: 4, horizontalFlip: true), seed: 1)
    var orderRng = RandomGenerator(seed: 1)
    let batches =
      (try? EpochOrder(sampleCount: source.sampleCount).nextBatches(size: 128, using: &orderRng)) ?? []
    let seconds =
      medianSeconds(warmup: 2, runs: 20) {
        for b in batches.prefix(10) { _ = try? source.batch(at: b) }
      } / 10
    report.line(report.pad("cifar10 batch 128, crop+flip", 34) + String(format: "%7.3f ms", seconds * 1000))
    report.set("cifar10_batch128_augmented_ms", .number(seconds * 1000))
  }

  guard let fashion else {
    report.line("fashion-mnist epoch: not measured (Fashion-MNIST not found)")
    return
  }
  do {
    var rng = RandomGenerator(seed: 0)
    let model = try Models.cnn(inputShape: [1, 28, 28], classes: 10, rng: &rng)
    let optimizer = try SGD(parameters: model.parameters(), learningRate: 0.05, momentum: 0.9)
    var config = TrainingConfig()
    config.batchSize = 128
    config.epochs = 1
    config.progress = .silent
    config.timeBudget = 60
    let trainer = Trainer(model: model, optimizer: optimizer, config: config)
    let run = try trainer.fit(on: fashion.train)
    let full = (fashion.train.sampleCount + 127) / 128
    if run.steps == full {
      report.line(
        report.pad("fashion-mnist CNN epoch (batch 128)", 34) + String(format: "%7.2f s", run.seconds))
      report.set("fashion_mnist_epoch_s", .number(run.seconds))
    } else if run.steps > 0 {
      let estimate = run.seconds / Double(run.steps) * Double(full)
      report.line(
        report.pad("fashion-mnist CNN epoch (batch 128)", 34) + String(format: "%7.2f s", estimate)
          + "  extrapolated from \(run.steps) of \(full) steps in \(String(format: "%.0f", run.seconds)) s")
      report.set("fashion_mnist_epoch_s", .number(estimate))
    }
  } catch {
    report.line("fashion-mnist epoch: not measured: \(error)")
  }
}

/// CPU seconds used by this process so far (all threads): less disturbed than wall time when other
/// processes share the cores.
func processCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
