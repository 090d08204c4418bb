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
  let metricOptions: MetricOptions
  private let scheduledMethods: [String]
  private let log: (String) -> Void
  private let shouldStop: @Sendable () -> Bool
  private let threads: Int
  private var splits: [String: ExperimentCatalog.Splits] = [:]
  /// k-means relabelled splits by dataset and cluster count.
  private var clusterings: [String: ExperimentCatalog.Splits] = [:]
  /// M_retrain times re-measured in this process, by cache key (see `comparableRetraining`).
  private var retimed: [String: RetrainTiming] = [:]
  /// M_retrain's outputs on the measured splits, by its cache key (the latest only).
  private var referenceEvaluation: [String: SplitOutputs] = [:]
  /// M0's and M_retrain's own figures (`RunOutcome.reference`), by M0 and M_retrain keys.
  private var baselines: [String: [String: Double]] = [:]
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
    /// Its cache key.
    var key: String
    var state: [Float] { entry.state }
    var initialState: [Float] { entry.initialState }
    var artifacts: PreparedArtifacts { entry.artifacts }
    var seconds: Double { entry.seconds }
  }
  private var retrains: [String: ModelCache.Entry] = [:]

  /// A pipeline over `catalog` and `registry`; `cache` keeps trained models on disk between
  /// invocations (nil: memory only). `scheduledMethods` are the method names whose `prepare`
  /// observes M0's training. `threads` is the thread count the kernels compute with (a cached
  /// M_retrain timed with another count is re-timed before a speedup uses it).
  public init(
    catalog: ExperimentCatalog, registry: MethodRegistry = .shared, cache: ModelCache?, metrics: MetricOptions = .init(),
    scheduledMethods: [String], threads: Int = 1, log: @escaping (String) -> Void = { print($0) },
    shouldStop: @escaping @Sendable () -> Bool = { false }
  ) {
    self.threads = threads
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

  /// The time and work of retraining that a run's speedups compare with.
  private struct RetrainTiming {
    var seconds: Double
    var work: Work?
    var conditions: TimingConditions?
    /// Where the time comes from: "cached" (measured when M_retrain was trained, under the same
    /// conditions) or "re-timed" (measured again in this process).
    var source: String
  }

  private func setup(_ run: RunIdentity) throws -> RunSetup {
    var base = try dataset(run.dataset)
    let recipe = try TrainingRecipe.from(run.training, seed: run.seed)
    let build = try catalog.model(run.model.name)
    let method = try registry.method(named: run.method.name)
    let clusters = try ExperimentCatalog.clusterCount(run.scenario)
    if let clusters {
      let key = "\(run.dataset.canonical)|\(clusters)"
      if let c = clusterings[key] {
        base = c
      } else {
        log("relabelling \(base.name) into \(clusters) k-means clusters")
        base = try ExperimentCatalog.clusteredSplits(base, clusters: clusters)
        clusterings[key] = base
      }
    }
    var runData = try ScenarioData(
      drawn: try catalog.scenario(run.scenario.name)(run.scenario, base, run.seed), base: base)
    if clusters != nil { runData.relabelling = "kmeans" }
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
      _ = try originalModel(run, s.recipe, s.buildModel, s.data, method: s.method, runData: s.runData)
    case .retrain:
      _ = try retrainedModel(
        run, s.recipe, s.makeModel, try s.makeModel().stateVector(), s.request, s.data,
        key: run.retrainKey(classes: s.runData.keptClasses, relabelling: s.runData.relabelling))
    }
  }

  /// Executes one run (see the type's description). An error after the scenario is drawn comes
  /// as a `RunFailure` carrying the scenario's digest and forget count.
  public func execute(_ run: RunIdentity) throws -> RunOutcome {
    let s = try setup(run)
    do {
      return try execute(run, s)
    } catch let error as TrainingInterrupted {
      throw error
    } catch {
      throw RunFailure(
        underlying: error, scenarioDigest: s.runData.drawn.digest, forgetCount: s.scenario.forgetIndices.count)
    }
  }

  private func execute(_ run: RunIdentity, _ s: RunSetup) throws -> RunOutcome {
    let (recipe, method, runData, request, makeModel) = (s.recipe, s.method, s.runData, s.request, s.makeModel)
    let data = s.data
    let scenario = s.scenario
    let m0 = try originalModel(run, recipe, s.buildModel, data, method: method, runData: runData)
    let retrainKey = run.retrainKey(classes: runData.keptClasses, relabelling: runData.relabelling)
    // M_retrain starts from M0's initialisation; an M0 of another shape (SISA's ensemble) has an
    // initialisation of its own, so the plain model's is used.
    let plainInitial = try makeModel().stateVector()
    let initial = m0.initialState.count == plainInitial.count ? m0.initialState : plainInitial
    let retrained = try retrainedModel(run, recipe, makeModel, initial, request, data, key: retrainKey)
    let retraining = try comparableRetraining(run, recipe, makeModel, initial, request, retrained, key: retrainKey)

    let model = try m0.make()
    let result: UnlearningResult
    let unlearnSeconds: Double
    let unlearnWork: Work?
    var unlearnLoad: Double?
    var memory: ResidentMemory.Phase?
    let options = MethodOptions(values: run.method.options)
    if let reason = method.applicability(to: request, model: model, options: options).reason {
      throw MethodError.notApplicable(method: run.method.name, reason: reason)
    }
    if method.reproducesRetraining(options: options) {
      // The method's result *is* M_retrain (it says so), so the reference model and its time are
      // reused.
      try model.loadStateVector(retrained.state)
      result = UnlearningResult(model: model, notes: ["model": "M_retrain (identical by construction)"])
      unlearnSeconds = retraining.seconds
      unlearnWork = retraining.work
      unlearnLoad = retraining.conditions?.loadBefore
    } else {
      try model.loadStateVector(m0.state)
      let context = UnlearningContext(
        model: model, request: request, options: options, recipe: recipe,
        initialState: m0.initialState, artifacts: m0.artifacts, seed: run.seed, shouldStop: shouldStop,
        dataset: run.dataset, modelFactory: s.buildModel)
      let (timed, phase) = try ResidentMemory.measure {
        try TimingConditions.timed(threads: threads) { try method.unlearn(context) }
      }
      memory = phase
      var unlearned = timed.result
      unlearnSeconds = timed.seconds
      unlearnWork = timed.work
      unlearnLoad = timed.conditions.loadBefore
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
    let removed = result.removedClasses
    // M_retrain's outputs are shared by every run of its scenario, except where a method removed
    // output classes: then both models' outputs leave those classes out.
    let plainReference = try memoized(&referenceEvaluation, retrainKey) {
      try splitOutputs(reference, data: data, request: request, seed: run.seed)
    }
    let referenceOutputs = try removed.isEmpty
      ? plainReference : splitOutputs(reference, data: data, request: request, seed: run.seed, excluding: removed)
    let original = try m0.make()
    try original.loadStateVector(m0.state)
    let untrained = try m0.make()
    try untrained.loadStateVector(m0.initialState)
    var metrics = try measure(
      result.model, try splitOutputs(result.model, data: data, request: request, seed: run.seed, excluding: removed),
      reference: reference, referenceOutputs, original: original, untrained: untrained, data: data, request: request,
      scenario: scenario, seed: run.seed)
    let baseline = try memoized(&baselines, m0.key + "|" + retrainKey) { () -> [String: Double] in
      return try self.baseline(
        original: original, reference: reference, plainReference, scenario: scenario,
        testCount: data.test.sampleCount, data: data, request: request, seed: run.seed)
    }
    metrics[MetricName.speedup.rawValue] = try Speedup.ratio(
      retrainSeconds: retraining.seconds, unlearnSeconds: max(unlearnSeconds, 1e-9))
    var notes = result.notes
    var work: RunWork?
    if let retrainWork = retraining.work, let unlearnWork {
      work = RunWork(unlearn: unlearnWork, retrain: retrainWork)
      if let ratio = try Speedup.workRatio(retrain: retrainWork, unlearn: unlearnWork) {
        metrics[MetricName.speedupWork.rawValue] = ratio
      } else {
        notes["speedup_work"] = "the method called no model: no counted work, the ratio is unbounded"
      }
    }
    // An M0 of the method's own was trained for the method alone (SISA's shards): all of its
    // training is the method's preparation. Otherwise only its hooks' time is.
    let prepareSeconds = m0.change != nil ? m0.seconds : m0.artifacts.seconds[run.method.name] ?? 0
    var timings = RunTimings(
      trainSeconds: m0.seconds, prepareSeconds: prepareSeconds,
      unlearnSeconds: unlearnSeconds, retrainSeconds: retraining.seconds,
      unlearnPeakMiB: memory.map { Double($0.peakBytes) / 1_048_576 },
      unlearnGrowthMiB: memory.map { Double($0.growthBytes) / 1_048_576 })
    timings.unlearnLoad = unlearnLoad
    timings.retrainLoad = retraining.conditions?.loadBefore
    timings.retrainSource = retraining.source
    var outcome = RunOutcome(
      scenarioDigest: runData.drawn.digest, forgetCount: scenario.forgetIndices.count, metrics: metrics, notes: notes,
      timings: timings, work: work, metricVariants: metricOptions.variants)
    outcome.reference = baseline
    return outcome
  }

  /// Retraining's time and work as this process would measure them: the cached M_retrain's own
  /// when they were measured under comparable conditions (`TimingConditions.isComparable`: CPU,
  /// threads, GEMM backend, build), otherwise measured again here — M_retrain trained once more
  /// from the same initialisation, its state discarded (the cached one stays the reference) —
  /// once per process and model.
  private func comparableRetraining(
    _ run: RunIdentity, _ recipe: TrainingRecipe, _ makeModel: () throws -> Learner, _ initial: [Float],
    _ request: ForgetRequest, _ entry: ModelCache.Entry, key: String
  ) throws -> RetrainTiming {
    let here = TimingConditions.current(threads: threads)
    if let c = entry.conditions, entry.work != nil, c.isComparable(with: here) {
      return RetrainTiming(seconds: entry.seconds, work: entry.work, conditions: c, source: "cached")
    }
    if let t = retimed[key] { return t }
    let why = entry.conditions.map { here.differences(from: $0) } ?? "no recorded conditions"
    log("re-timing M_retrain \(run.scenario) seed \(run.seed): its cached time was taken under other conditions (\(why))")
    let model = try makeModel()
    try model.loadStateVector(initial)
    var training = TrainingRequest(
      source: request.train, indices: request.retained, recipe: recipe, shouldStop: shouldStop)
    training.progress = progressPrinter("M_retrain (re-timing)")
    let timed = try TimingConditions.timed(threads: threads) { try LearnerTrainer.train(model, training) }
    let t = RetrainTiming(
      seconds: timed.result.seconds, work: timed.work, conditions: timed.conditions, source: "re-timed")
    retimed = [key: t]
    return t
  }

  /// The learner's logits over `indices` of `source` (all when nil) with their labels, through
  /// Core's one evaluation loop; the `excluding` classes are left out of every measure
  /// (`OutputMatrix.excludingClasses`).
  func outputs(
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
    _ data: ExperimentCatalog.Splits, method: UnlearningMethod, runData: ScenarioData
  ) throws -> OriginalModel {
    let makeModel = { try buildModel(run.seed) }
    let (classes, relabelling) = (runData.keptClasses, runData.relabelling)
    let own: TrainingObserver?
    do {
      own = try method.prepare(options: MethodOptions(values: run.method.options))
    } catch MethodError.failed(_, let message) {
      throw MethodError.failed(method: run.method.name, message: "prepare: \(message)")
    } catch {
      throw MethodError.failed(method: run.method.name, message: "prepare: \(FileError.describe(error))")
    }
    if let own, let change = own.trainingChange {
      let key = run.originalModelKey(classes: classes, change: change, relabelling: relabelling)
      // The change may make M0 another kind of learner (SISA's ensemble of shard models).
      let makeOwn = { try own.shapedLearner(build: buildModel, seed: run.seed) ?? makeModel() }
      let entry = try trainedOriginal(
        run, key: key, label: "M0 for \(run.method.name) (\(change))", recipe, makeOwn, data,
        usable: { _ in true }, observers: { [(run.method.name, own)] })
      return OriginalModel(entry: entry, make: makeOwn, change: change, key: key)
    }
    let key = run.originalModelKey(classes: classes, change: nil, relabelling: relabelling)
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
            log("\(name): prepare failed (\(error)); M0 trains without it")
            continue
          }
          // Methods that change training get their own M0; they never ride on the shared one.
          if let watcher, watcher.trainingChange == nil { observers.append((name, watcher)) }
        }
        return observers
      })
    return OriginalModel(entry: entry, make: makeModel, change: nil, key: key)
  }

  /// The value under `key` in `store`, made by `make` when absent; `store` keeps only the latest
  /// (runs sharing a model are adjacent).
  private func memoized<T>(_ store: inout [String: T], _ key: String, _ make: () throws -> T) rethrows -> T {
    if let v = store[key] { return v }
    let v = try make()
    store = [key: v]
    return v
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
      let timed = try TimingConditions.timed(threads: threads) { try LearnerTrainer.train(model, training) }
      let summary = timed.result
      log("M_retrain trained in \(Summary.fixed(summary.seconds, 1)) s")
      return ModelCache.Entry(
        state: model.stateVector(), initialState: initial, seconds: summary.seconds, work: timed.work,
        conditions: timed.conditions)
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
