import Core
import Foundation
import Methods

/// The pipeline that executes one run (the real `RunExecutor`): trains (or loads) M0 once per
/// (dataset, model, training, seed) with every scheduled method's `prepare` observing, trains (or
/// loads) M_retrain once per scenario and seed, runs the method on a fresh copy of M0 and measures
/// every metric. It keeps the last M0s and M_retrain in memory between runs.
public final class RunPipeline: RunExecutor {
  private let catalog: ExperimentCatalog
  private let registry: MethodRegistry
  private let cache: ModelCache?
  private let metricOptions: MetricOptions
  private let scheduledMethods: [String]
  private let log: (String) -> Void
  private let shouldStop: @Sendable () -> Bool
  private var splits: [String: ExperimentCatalog.Splits] = [:]
  /// Why a scheduled method's `prepare` failed, by method name (its runs fail with the message).
  private var prepareFailures: [String: String] = [:]
  private var originals: [String: ModelCache.Entry] = [:]
  private var originalOrder: [String] = []

  /// An M0, how to make a fresh model of its shape, and, when the method trained its own, how
  /// its training differed.
  private struct OriginalModel {
    var entry: ModelCache.Entry
    var make: () throws -> Learner
    var change: String?
    var state: [Float] { entry.state }
    var initialState: [Float] { entry.initialState }
    var artifacts: PreparedArtifacts { entry.artifacts }
    var seconds: Double { entry.seconds }
  }
  private var retrains: [String: ModelCache.Entry] = [:]

  /// A pipeline over `catalog` and `registry`; `cache` keeps trained models on disk between
  /// invocations (nil: memory only). `scheduledMethods` are the method names whose `prepare`
  /// observes M0's training.
  public init(
    catalog: ExperimentCatalog, registry: MethodRegistry = .shared, cache: ModelCache?, metrics: MetricOptions = .init(),
    scheduledMethods: [String], log: @escaping (String) -> Void = { print($0) },
    shouldStop: @escaping @Sendable () -> Bool = { false }
  ) {
    self.catalog = catalog
    self.registry = registry
    self.cache = cache
    self.metricOptions = metrics
    self.scheduledMethods = scheduledMethods
    self.log = log
    self.shouldStop = shouldStop
  }

  /// What every step of a run starts from: its data, recipe, method and model builder.
  private struct RunSetup {
    var recipe: TrainingRecipe
    var method: UnlearningMethod
    var runData: ScenarioData
    var request: ForgetRequest
    var seed: UInt64
    var buildModel: (_ seed: UInt64) throws -> Learner
    func makeModel() throws -> Learner { try buildModel(seed) }
    var data: ExperimentCatalog.Splits { runData.splits }
    var scenario: ForgetScenario { runData.scenario }
  }

  private func setup(_ run: RunIdentity) throws -> RunSetup {
    let base = try dataset(run.dataset)
    let recipe = try TrainingRecipe.from(run.training, seed: run.seed)
    let build = try catalog.model(run.model.name)
    let method = try registry.method(named: run.method.name)
    let runData = try ScenarioData(
      drawn: try catalog.scenario(run.scenario.name)(run.scenario, base, run.seed), base: base)
    let data = runData.splits
    var request = try ForgetRequest(train: data.train, forget: runData.scenario.forgetIndices, test: data.test)
    request.normalization = data.normalization
    request.drawValidation(seed: run.seed)
    return RunSetup(
      recipe: recipe, method: method, runData: runData, request: request, seed: run.seed,
      buildModel: { seed in try build(run.model, data.train.sampleShape, data.train.classCount, seed) })
  }

  /// Which of a run's models `prepareModel` trains.
  public enum ModelKind: String, Sendable, Codable {
    /// M0: the original model the run's method starts from (shared, or the method's own).
    case original = "m0"
    /// M_retrain: the reference retrained without the run's forget set.
    case retrain
  }

  /// Trains the M0 or the M_retrain that `run` needs and caches it (or finds it cached), without
  /// running the method: what the first job array of a cluster sweep does. M_retrain starts from
  /// the initialisation M0 starts from, so it does not wait for M0.
  public func prepareModel(_ kind: ModelKind, for run: RunIdentity) throws {
    let s = try setup(run)
    switch kind {
    case .original:
      _ = try originalModel(run, s.recipe, s.buildModel, s.data, method: s.method, classes: s.runData.keptClasses)
    case .retrain:
      _ = try retrainedModel(
        run, s.recipe, s.makeModel, try s.makeModel().stateVector(), s.request, s.data,
        key: run.retrainKey(classes: s.runData.keptClasses))
    }
  }

  /// Executes one run (see the type's description).
  public func execute(_ run: RunIdentity) throws -> RunOutcome {
    let s = try setup(run)
    let (recipe, method, runData, request, makeModel) = (s.recipe, s.method, s.runData, s.request, s.makeModel)
    let data = s.data
    let scenario = s.scenario
    let m0 = try originalModel(run, recipe, s.buildModel, data, method: method, classes: runData.keptClasses)
    // M_retrain starts from M0's initialisation; an M0 of another shape (SISA's ensemble) has an
    // initialisation of its own, so the plain model's is used.
    let plainInitial = try makeModel().stateVector()
    let retrained = try retrainedModel(
      run, recipe, makeModel, m0.initialState.count == plainInitial.count ? m0.initialState : plainInitial, request,
      data, key: run.retrainKey(classes: runData.keptClasses))

    let model = try m0.make()
    let result: UnlearningResult
    let unlearnSeconds: Double
    var memory: ResidentMemory.Phase?
    let options = MethodOptions(values: run.method.options)
    if let reason = method.applicability(to: request, model: model, options: options).reason {
      throw MethodError.failed(method: run.method.name, message: "cannot apply: \(reason)")
    }
    if method.reproducesRetraining(options: options) {
      // The method's result *is* M_retrain (it says so), so the reference model and its time are
      // reused.
      try model.loadStateVector(retrained.state)
      result = UnlearningResult(model: model, notes: ["model": "M_retrain (identical by construction)"])
      unlearnSeconds = retrained.seconds
    } else {
      try model.loadStateVector(m0.state)
      let context = UnlearningContext(
        model: model, request: request, options: options, recipe: recipe,
        initialState: m0.initialState, artifacts: m0.artifacts, seed: run.seed, shouldStop: shouldStop,
        dataset: run.dataset,
        modelFactory: s.buildModel)
      let clock = ContinuousClock()
      let t0 = clock.now
      var (unlearned, phase) = try ResidentMemory.measure { try method.unlearn(context) }
      unlearnSeconds = (clock.now - t0).seconds
      memory = phase
      if let change = m0.change { unlearned.notes["m0"] = "own M0 (\(change))" }
      result = unlearned
    }
    guard result.model.parameterCount == model.parameterCount else {
      throw MethodError.failed(method: run.method.name, message: "returned a model of a different size")
    }
    if let bad = result.removedClasses.first(where: { $0 < 0 || $0 >= model.classCount }) {
      throw MethodError.failed(method: run.method.name, message: "removed class \(bad) outside 0..<\(model.classCount)")
    }
    guard Set(result.removedClasses).count < model.classCount else {
      throw MethodError.failed(method: run.method.name, message: "removed every output class")
    }

    let reference = try makeModel()
    try reference.loadStateVector(retrained.state)
    let original = try m0.make()
    try original.loadStateVector(m0.state)
    let untrained = try m0.make()
    try untrained.loadStateVector(m0.initialState)
    var metrics = try measure(
      result.model, reference: reference, original: original, untrained: untrained, data: data,
      scenario: scenario, request: request, seed: run.seed, removedClasses: result.removedClasses)
    metrics[MetricName.speedup.rawValue] = try Speedup.ratio(
      retrainSeconds: retrained.seconds, unlearnSeconds: max(unlearnSeconds, 1e-9))
    // An M0 of the method's own was trained for the method alone (SISA's shards): all of its
    // training is the method's preparation. Otherwise only its hooks' time is.
    let prepareSeconds = m0.change != nil ? m0.seconds : m0.artifacts.seconds[run.method.name] ?? 0
    return RunOutcome(
      scenarioDigest: runData.drawn.digest, forgetCount: scenario.forgetIndices.count, metrics: metrics, notes: result.notes,
      timings: RunTimings(
        trainSeconds: m0.seconds, prepareSeconds: prepareSeconds,
        unlearnSeconds: unlearnSeconds, retrainSeconds: retrained.seconds,
        unlearnPeakMiB: memory.map { Double($0.peakBytes) / 1_048_576 },
        unlearnGrowthMiB: memory.map { Double($0.growthBytes) / 1_048_576 }))
  }

  /// Every metric except speedup for `model` against M_retrain `reference`. Output classes in
  /// `removedClasses` (which the method says the model no longer predicts) are left out of
  /// every output-based metric, for both models (`OutputMatrix.excludingClasses`). `original` is
  /// M0 and `untrained` M0's initialisation (ZRF's randomly initialised model), both shaped as
  /// `model`.
  func measure(
    _ model: Learner, reference: Learner, original: Learner, untrained: Learner, data: ExperimentCatalog.Splits,
    scenario: ForgetScenario, request: ForgetRequest, seed: UInt64, removedClasses: [Int] = []
  ) throws -> [String: Double] {
    var retained = request.retained
    let limit = metricOptions.retainedEvaluationLimit
    if limit > 0 && retained.count > limit {
      var rng = RandomGenerator(seed: seed ^ 0xE7A1)
      retained = rng.permutation(retained.count).prefix(limit).map { retained[$0] }.sorted()
    }
    let removed = removedClasses
    let test = try outputs(model, data.test, excluding: removed)
    let kept = try outputs(model, data.train, retained, excluding: removed)
    let forget = try outputs(model, data.train, request.forget, excluding: removed)
    var m: [String: Double] = [:]
    if scenario.testRetainIndices.count < data.test.sampleCount {
      let subset = scenario.testRetainIndices
      let rows = try OutputMatrix(
        values: subset.flatMap { test.outputs.row($0) }, rowCount: subset.count, classCount: model.classCount)
      m[MetricName.accTest.rawValue] = try Accuracy.top1(outputs: rows, labels: subset.map { test.labels[$0] })
    } else {
      m[MetricName.accTest.rawValue] = try Accuracy.top1(outputs: test.outputs, labels: test.labels)
    }
    m[MetricName.accRemained.rawValue] = try Accuracy.top1(outputs: kept.outputs, labels: kept.labels)
    m[MetricName.accDeleted.rawValue] = try Accuracy.top1(outputs: forget.outputs, labels: forget.labels)

    let (own, other): (OutputMatrix, OutputMatrix)
    switch metricOptions.outputSplit {
    case .forget:
      (own, other) = (forget.outputs, try outputs(reference, data.train, request.forget, excluding: removed).outputs)
    case .retained:
      (own, other) = (kept.outputs, try outputs(reference, data.train, retained, excluding: removed).outputs)
    case .test:
      (own, other) = (test.outputs, try outputs(reference, data.test, excluding: removed).outputs)
    }
    m[MetricName.distOutput.rawValue] = try OutputDistance.mean(own, other, kind: metricOptions.outputDistance)
    m[MetricName.distPara.rawValue] = try ParameterDistance.meanDistance(
      model.parameterPairs(against: reference, original: original), kind: metricOptions.parameterDistance)
    m[MetricName.zrf.rawValue] = try ZeroRetrainForgetting.score(
      forget.outputs, incompetent: try outputs(untrained, data.train, request.forget).outputs)
    let attack = try MembershipInference.attack(
      retained: kept.outputs, test: test.outputs, forget: forget.outputs, feature: metricOptions.attackFeature,
      classifier: metricOptions.attackClassifier, seed: seed)
    m[MetricName.miaEfficacy.rawValue] = attack.forgetNonMemberPercent
    m[MetricName.miaAUC.rawValue] = attack.auc
    return m
  }

  /// The learner's logits over `indices` of `source` (all when nil) with their labels, through
  /// Core's one evaluation loop; the `excluding` classes are left out of every measure.
  private func outputs(
    _ learner: Learner, _ source: BatchSource, _ indices: [Int]? = nil, excluding removed: [Int] = []
  ) throws -> (outputs: OutputMatrix, labels: [Int]) {
    let (logits, labels) = try Evaluation.outputs(
      of: learner, on: source, indices: indices, batchSize: Evaluation.learnerBatchSize)
    guard logits.shape == [labels.count, learner.classCount] else {
      throw MethodError.failed(
        method: "evaluation",
        message: "model returned logits of shape \(logits.shape), expected [\(labels.count), \(learner.classCount)]")
    }
    return (try OutputMatrix(logits).excludingClasses(removed), labels)
  }

  private func dataset(_ spec: NamedSpec) throws -> ExperimentCatalog.Splits {
    if let s = splits[spec.canonical] { return s }
    log("loading dataset \(spec)")
    let s = try catalog.dataset(spec.name)(spec)
    guard s.train.sampleCount > 0, s.test.sampleCount > 0 else {
      throw ExperimentError.invalidSchedule("dataset \(spec) has an empty training or test set")
    }
    splits[spec.canonical] = s
    return s
  }

  /// M0 for `run`: the shared one (every scheduled method's watcher observes its training), or,
  /// when the run's method changes training, an M0 of the method's own (see `TrainingObserver`).
  private func originalModel(
    _ run: RunIdentity, _ recipe: TrainingRecipe, _ buildModel: @escaping (UInt64) throws -> Learner,
    _ data: ExperimentCatalog.Splits, method: UnlearningMethod, classes: [Int]?
  ) throws -> OriginalModel {
    let makeModel = { try buildModel(run.seed) }
    let own: TrainingObserver?
    do {
      own = try method.prepare(options: MethodOptions(values: run.method.options))
    } catch MethodError.failed(_, let message) {
      throw MethodError.failed(method: run.method.name, message: "prepare: \(message)")
    } catch {
      throw MethodError.failed(method: run.method.name, message: "prepare: \(FileError.describe(error))")
    }
    if let own, let change = own.trainingChange {
      let key = run.originalModelKey(classes: classes, change: change)
      // The change may make M0 another kind of learner (SISA's ensemble of shard models).
      let makeOwn = { try own.shapedLearner(build: buildModel, seed: run.seed) ?? makeModel() }
      let entry = try trainedOriginal(
        run, key: key, label: "M0 for \(run.method.name) (\(change))", recipe, makeOwn, data,
        usable: { _ in true }, observers: { [(run.method.name, own)] })
      return OriginalModel(entry: entry, make: makeOwn, change: change)
    }
    let key = run.originalModelKey(classes: classes, change: nil)
    let needsPrepare = own != nil
    let entry = try trainedOriginal(
      run, key: key, label: "M0", recipe, makeModel, data,
      usable: { !needsPrepare || $0.preparedMethods.contains(run.method.name) },
      observers: {
        var observers: [TrainingRequest.NamedObserver] = []
        for name in Set(scheduledMethods + [run.method.name]).sorted() {
          if name == run.method.name {
            if let own { observers.append((name, own)) }
            continue
          }
          let m = try registry.method(named: name)
          let options = try registry.resolve(NamedSpec(name)).options
          let watcher: TrainingObserver?
          do {
            watcher = try m.prepare(options: MethodOptions(values: options))
          } catch {
            // That method's own runs fail with this message; this M0 trains without its watcher.
            log("\(name): prepare failed (\(FileError.describe(error))); M0 trains without it")
            continue
          }
          // Methods that change training get their own M0; they never ride on the shared one.
          if let watcher, watcher.trainingChange == nil { observers.append((name, watcher)) }
        }
        return observers
      })
    return OriginalModel(entry: entry, make: makeModel, change: nil)
  }

  /// Keeps `entry` in memory: the last few M0s (runs of one M0 are grouped, but a method with an
  /// own M0 alternates with the shared one).
  private func remember(_ entry: ModelCache.Entry, _ key: String) {
    originalOrder.removeAll { $0 == key }
    originalOrder.append(key)
    originals[key] = entry
    while originalOrder.count > 3 { originals[originalOrder.removeFirst()] = nil }
  }

  /// The M0 cached under `key` when `usable`, else trained now with `observers()` attached.
  private func trainedOriginal(
    _ run: RunIdentity, key: String, label: String, _ recipe: TrainingRecipe, _ makeModel: () throws -> Learner,
    _ data: ExperimentCatalog.Splits, usable: (ModelCache.Entry) -> Bool,
    observers: () throws -> [TrainingRequest.NamedObserver]
  ) throws -> ModelCache.Entry {
    if let e = originals[key], usable(e) { return e }
    let model = try makeModel()
    let entry = try cachedOrTrained(
      "m0", key, model: model, what: "\(label) \(data.name)/\(run.model) seed \(run.seed)", usable: usable,
      metadata: metadata(run, data)
    ) {
      let attached = try observers()
      let initial = model.stateVector()
      log("training \(label): \(data.name) \(run.model) \(run.training) seed \(run.seed), \(recipe.epochs) epochs")
      var training = TrainingRequest(source: data.train, recipe: recipe, shouldStop: shouldStop)
      training.observers = attached
      training.progress = progressPrinter(label)
      let summary = try LearnerTrainer.train(model, training)
      log("\(label) trained in \(Summary.fixed(summary.seconds, 1)) s")
      return ModelCache.Entry(
        state: model.stateVector(), initialState: initial, seconds: summary.seconds, artifacts: summary.artifacts,
        preparedMethods: attached.map(\.name))
    }
    remember(entry, key)
    return entry
  }

  /// The entry `kind`/`key` from the cache when there and `usable`, else made by `train` and
  /// stored — holding the entry's lock from the moment it is found missing, so that processes
  /// sharing the cache (a job array) never train one entry twice: a process that finds the lock
  /// held waits, then loads what the holder stored.
  private func cachedOrTrained(
    _ kind: String, _ key: String, model: Learner, what: String, usable: (ModelCache.Entry) -> Bool,
    metadata: CheckpointMetadata, train: () throws -> ModelCache.Entry
  ) throws -> ModelCache.Entry {
    guard let cache else { return try train() }
    if let e = cache.load(kind, key, model: model), usable(e) {
      log("\(what): loaded from cache")
      return e
    }
    return try cache.withEntryLock(
      kind, key, onWait: { log("\(what): another process is training it; waiting") }
    ) { lock in
      if let e = cache.load(kind, key, model: model), usable(e) {
        log("\(what): loaded from cache")
        return e
      }
      let entry = try train()
      try cache.store(entry, kind, key, model: model, metadata: metadata, lock: lock)
      return entry
    }
  }

  private func retrainedModel(
    _ run: RunIdentity, _ recipe: TrainingRecipe, _ makeModel: () throws -> Learner, _ initial: [Float],
    _ request: ForgetRequest, _ data: ExperimentCatalog.Splits, key: String
  ) throws -> ModelCache.Entry {
    if let e = retrains[key], e.initialState == initial { return e }
    let model = try makeModel()
    let entry = try cachedOrTrained(
      "retrain", key, model: model, what: "M_retrain \(run.scenario) seed \(run.seed)",
      usable: { $0.initialState == initial }, metadata: metadata(run, data)
    ) {
      try model.loadStateVector(initial)
      log("training M_retrain: \(run.scenario) seed \(run.seed) on \(request.retained.count) samples")
      var training = TrainingRequest(
        source: request.train, indices: request.retained, recipe: recipe, shouldStop: shouldStop)
      training.progress = progressPrinter("M_retrain")
      let summary = try LearnerTrainer.train(model, training)
      log("M_retrain trained in \(Summary.fixed(summary.seconds, 1)) s")
      return ModelCache.Entry(state: model.stateVector(), initialState: initial, seconds: summary.seconds)
    }
    retrains = [key: entry]
    return entry
  }

  /// What a cached checkpoint of `run` says about itself: model, dataset, input normalisation.
  private func metadata(_ run: RunIdentity, _ data: ExperimentCatalog.Splits) -> CheckpointMetadata {
    CheckpointMetadata(
      model: run.model.name, modelOptions: run.model.options.mapValues(\.description),
      dataset: data.name == run.dataset.name ? run.dataset.canonical : "\(run.dataset.canonical) as \(data.name)",
      normalization: data.normalization)
  }

  private func progressPrinter(_ what: String) -> (Int, Int, Int, Double) -> Void {
    let log = self.log
    return { epoch, batch, count, loss in
      let quarter = max(1, count / 4)
      if batch == count || (batch % quarter == 0 && count - batch >= quarter / 2) {
        log("  \(what) epoch \(epoch) batch \(batch)/\(count) loss \(Summary.fixed(loss, 4))")
      }
    }
  }
}
