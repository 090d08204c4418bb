import Methods

/// What the pieces of a sweep are expected to cost, in core-seconds, so that its shares can be
/// balanced (`Shards`): a ResNet-18 run on CIFAR-10 weighs hundreds of CNN runs on Fashion-MNIST.
///
/// Training a model (M0 or M_retrain) costs `epochs × training samples × rate`, where `rate` is
/// the core-seconds one training sample takes (forward, backward, update) for the model type,
/// measured on a reference dataset (`Rate`, docs/cluster.md) and scaled to other inputs: by the
/// pixel count for the convolutional models (their work grows with the image area; ResNet-18's
/// ImageNet stem cuts it 16-fold), by the hidden width for the MLP. A method's run — the
/// unlearning plus the evaluation of every metric — is counted as half an epoch of training, and
/// a method whose result is M_retrain itself as 0.15 of one (evaluation only). Those weights come
/// from the quickstart (CNN, Fashion-MNIST, 1% forgotten): unlearning took 0.01 (NegGrad) to 0.67
/// (NegGrad+) of M0's epoch, and evaluating every metric — forward passes over the test set, 10,000
/// retained and the forgotten samples, for M_unlearn and M_retrain, at about a third of a training
/// step each — about 0.12. They are rough; they only decide which runs of one model type share a
/// task. Unknown models and datasets get `fallbackRate` and `fallbackSamples`.
public struct CostModel: Sendable {
  /// A measured training rate of one model type.
  public struct Rate: Sendable {
    /// Core-seconds per training sample (one forward, backward and update per sample, in
    /// mini-batches), measured on `reference`.
    public var coreSecondsPerSample: Double
    /// The dataset it was measured on.
    public var reference: String
    /// Pixels per image of the reference input (0 for feature vectors).
    public var referencePixels: Int
  }

  /// Rates by model name.
  public var rates: [String: Rate]
  /// The rate of a model with no measurement.
  public var fallbackRate: Double
  /// Training samples of a dataset of unknown size.
  public var fallbackSamples = 10_000
  /// What a method's unlearning costs as a share of training M_retrain (its T_unlearn /
  /// T_retrain, the inverse of its speedup), by method name, when measured (`measuringShares`);
  /// a method without one counts half an epoch.
  public var methodShares: [String: Double] = [:]

  /// Rates measured on this project's development machine: CPU seconds per training step on one
  /// thread (release build, Lethe's own GEMM kernels), divided by the batch — 64 for the CNN
  /// (600→128 tanh→100 for the MLP) and 128 for ResNet-18. docs/cluster.md has the measurements.
  public static let measured = CostModel(
    rates: [
      "cnn": Rate(coreSecondsPerSample: 8.9e-4, reference: "fashion-mnist", referencePixels: 28 * 28),
      "mlp": Rate(coreSecondsPerSample: 5.7e-6, reference: "purchase-synthetic", referencePixels: 0),
      "resnet18": Rate(coreSecondsPerSample: 3.56e-2, reference: "cifar10", referencePixels: 32 * 32),
    ], fallbackRate: 8.9e-4)

  /// Core-seconds to train M0 (or M_retrain) of `run` once.
  public func trainingCost(_ run: RunIdentity) -> Double {
    let epochs = (try? TrainingRecipe.from(run.training, seed: run.seed).epochs) ?? TrainingRecipe.defaults.epochs
    return Double(max(epochs, 1)) * samplePasses(run)
  }

  /// Core-seconds of one method's run (`reusesRetraining`: the method's result is M_retrain): its
  /// measured share of retraining plus the evaluation (0.15 of an epoch), or half an epoch.
  public func runCost(_ run: RunIdentity, reusesRetraining: Bool) -> Double {
    if reusesRetraining { return 0.15 * samplePasses(run) }
    if let share = methodShares[run.method.name] { return share * trainingCost(run) + 0.15 * samplePasses(run) }
    return 0.5 * samplePasses(run)
  }

  /// This model with `methodShares` measured from `records`: for each method, the median of
  /// T_unlearn / T_retrain over its ok runs whose retraining time is comparable (timed under the
  /// same conditions); methods without such runs keep their share.
  public func measuringShares(from records: [RunRecord]) -> CostModel {
    var shares: [String: [Double]] = [:]
    for r in records where r.status == .ok && r.timings.retrainSource != nil && r.timings.retrainSeconds > 0 {
      shares[r.identity.method.name, default: []].append(r.timings.unlearnSeconds / r.timings.retrainSeconds)
    }
    var out = self
    for (method, values) in shares where !values.isEmpty {
      let sorted = values.sorted()
      out.methodShares[method] = sorted[sorted.count / 2]
    }
    return out
  }

  /// This model with the training rates measured from `records` (the core-seconds per training
  /// sample of each model type, from M_retrain's time × threads over epochs × retained samples,
  /// the median over records, scaled back to the reference input): what a finished sweep says
  /// this machine does. Model types without records keep their rate.
  public func measuringRates(from records: [RunRecord]) -> CostModel {
    var perModel: [String: [Double]] = [:]
    for r in records where r.status == .ok && r.timings.retrainSource != nil && r.timings.retrainSeconds > 0 {
      let run = r.identity
      guard let samples = r.work?.retrain.gradientSamples, samples > 0 else { continue }
      let perSample = r.timings.retrainSeconds * Double(r.machine.threads) / Double(samples)
      // Back to the reference input, as `rate` scales it forward.
      let scale = rate(run.model, on: run.dataset) / (rates[run.model.name]?.coreSecondsPerSample ?? fallbackRate)
      perModel[run.model.name, default: []].append(perSample / scale)
    }
    var out = self
    for (model, values) in perModel {
      let sorted = values.sorted()
      let reference = rates[model] ?? Rate(coreSecondsPerSample: 0, reference: "measured", referencePixels: 0)
      out.rates[model] = Rate(
        coreSecondsPerSample: sorted[sorted.count / 2], reference: reference.reference,
        referencePixels: reference.referencePixels)
    }
    return out
  }

  /// Core-seconds of one epoch: training samples × the model's rate on this input. A label-count
  /// scenario that keeps K of the dataset's classes trains on K/classes of it.
  func samplePasses(_ run: RunIdentity) -> Double {
    Double(trainingSamples(run.dataset)) * rate(run.model, on: run.dataset) * classShare(run)
  }

  /// The share of the training set a run's models train on: K/classes for a `label_count`
  /// scenario that keeps K classes (k-means relabelling keeps every sample), else 1.
  func classShare(_ run: RunIdentity) -> Double {
    guard run.scenario.name == "label_count", case .number(let k)? = run.scenario.options["classes"],
      run.scenario.options["relabel"] != .string("kmeans")
    else { return 1 }
    let classes: Double = run.dataset.name == "cifar100" || run.dataset.name == "purchase" ? 100 : 10
    return min(max(k / classes, 0), 1)
  }

  /// Core-seconds per training sample of `model` on `dataset`.
  public func rate(_ model: NamedSpec, on dataset: NamedSpec) -> Double {
    guard let r = rates[model.name] else { return fallbackRate }
    var rate = r.coreSecondsPerSample
    if r.referencePixels > 0, let pixels = Self.pixels(dataset) {
      rate *= Double(pixels) / Double(r.referencePixels)
    }
    if model.name == "mlp", case .number(let hidden)? = model.options["hidden"] { rate *= hidden / 128 }
    if model.name == "resnet18", case .string("imagenet")? = model.options["stem"] { rate /= 16 }
    return rate
  }

  /// Training samples of `dataset` (the published split sizes; the option for synthetic Purchase;
  /// a `subset` option caps it).
  public func trainingSamples(_ dataset: NamedSpec) -> Int {
    let full = publishedSamples(dataset)
    if case .number(let n)? = dataset.options["subset"], n > 0 { return min(full, Int(n)) }
    return full
  }

  private func publishedSamples(_ dataset: NamedSpec) -> Int {
    switch dataset.name {
    case "mnist", "fashion-mnist": return 60_000
    case "cifar10", "cifar100": return 50_000
    case "svhn": return 73_257
    case "purchase": return 157_860  // 197,324 samples, 20% held out for testing
    case "purchase-synthetic":
      if case .number(let n)? = dataset.options["train_count"] { return Int(max(n, 1)) }
      return 20_000
    case "imagenet-subset": return 9_469  // Imagenette's training set
    default: return fallbackSamples
    }
  }

  /// Pixels per image of `dataset`, when it holds images.
  static func pixels(_ dataset: NamedSpec) -> Int? {
    switch dataset.name {
    case "mnist", "fashion-mnist": return 28 * 28
    case "cifar10", "cifar100", "svhn": return 32 * 32
    case "imagenet-subset":
      if case .number(let side)? = dataset.options["image_size"] { return Int(side * side) }
      return 64 * 64
    default: return nil
    }
  }
}
