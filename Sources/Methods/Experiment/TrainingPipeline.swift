import Core
import Foundation

/// The real `RunExecutor`: trains (or loads) M0 once per (dataset, model, training, seed) with
/// every scheduled method's `prepare` observing, trains (or loads) M_retrain once per scenario and
/// seed, runs the method on a fresh copy of M0 and measures every metric.
public final class TrainingPipeline: RunExecutor {
  private let catalog: ExperimentCatalog
  private let registry: MethodRegistry
  private let cache: ModelCache?
  private let metricOptions: MetricOptions
  private let scheduledMethods: [String]
  private let log: (String) -> Void
  private let shouldStop: @Sendable () -> Bool
  private var splits: [String: ExperimentCatalog.Splits] = [:]
  private var originals: [String: ModelCache.Entry] = [:]
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

  /// Executes one run (see the type's description).
  public func execute(_ run: RunIdentity) throws -> RunOutcome {
    let data = try dataset(run.dataset)
    let recipe = try TrainingRecipe.from(run.training, seed: run.seed)
    let build = try catalog.model(run.model.name)
    let makeModel = { try build(run.model, data.train.sampleShape, data.train.classCount, run.seed) }
    let method = try registry.method(named: run.method.name)
    let scenario = try catalog.scenario(run.scenario.name)(run.scenario, data, run.seed)
    let request = try ForgetRequest(train: data.train, forget: scenario.forgetIndices, test: data.test)
    let m0 = try originalModel(run, recipe, makeModel, data, method: method)
    let retrained = try retrainedModel(run, recipe, makeModel, m0.initialState, request)

    let model = try makeModel()
    let result: UnlearningResult
    let unlearnSeconds: Double
    if method is RetrainMethod && run.method.options["epochs"]?.numberValue == 0 {
      // `retrain` with M0's recipe *is* M_retrain (same initialisation, data order and steps, bit
      // for bit; BuiltinMethodTests checks it), so the reference model and its time are reused.
      try model.loadStateVector(retrained.state)
      result = UnlearningResult(model: model, notes: ["model": "M_retrain (identical by construction)"])
      unlearnSeconds = retrained.seconds
    } else {
      try model.loadStateVector(m0.state)
      let context = UnlearningContext(
        model: model, request: request, options: MethodOptions(values: run.method.options), recipe: recipe,
        initialState: m0.initialState, artifacts: m0.artifacts, seed: run.seed, shouldStop: shouldStop)
      let clock = ContinuousClock()
      let t0 = clock.now
      result = try method.unlearn(context)
      unlearnSeconds = (clock.now - t0).seconds
    }
    guard result.model.parameterCount == model.parameterCount else {
      throw MethodError.failed(method: run.method.name, message: "returned a model of a different size")
    }

    let reference = try makeModel()
    try reference.loadStateVector(retrained.state)
    var metrics = try measure(result.model, reference: reference, data: data, scenario: scenario,
      request: request, seed: run.seed)
    metrics[MetricName.speedup.rawValue] = try Speedup.ratio(
      retrainSeconds: retrained.seconds, unlearnSeconds: max(unlearnSeconds, 1e-9))
    return RunOutcome(
      scenarioDigest: scenario.digest, forgetCount: scenario.forgetIndices.count, metrics: metrics, notes: result.notes,
      timings: RunTimings(
        trainSeconds: m0.seconds, prepareSeconds: m0.artifacts.seconds[run.method.name] ?? 0,
        unlearnSeconds: unlearnSeconds, retrainSeconds: retrained.seconds))
  }

  /// Every metric except speedup for `model` against M_retrain `reference`.
  func measure(
    _ model: Learner, reference: Learner, data: ExperimentCatalog.Splits, scenario: ForgetScenario,
    request: ForgetRequest, seed: UInt64
  ) throws -> [String: Double] {
    var retained = request.retained
    let limit = metricOptions.retainedEvaluationLimit
    if limit > 0 && retained.count > limit {
      var rng = RandomGenerator(seed: seed ^ 0xE7A1)
      retained = rng.permutation(retained.count).prefix(limit).map { retained[$0] }.sorted()
    }
    let test = try LearnerEvaluation.outputs(model, source: data.test)
    let kept = try LearnerEvaluation.outputs(model, source: data.train, indices: retained)
    let forget = try LearnerEvaluation.outputs(model, source: data.train, indices: request.forget)
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
      (own, other) = (forget.outputs, try LearnerEvaluation.outputs(reference, source: data.train, indices: request.forget).outputs)
    case .retained:
      (own, other) = (kept.outputs, try LearnerEvaluation.outputs(reference, source: data.train, indices: retained).outputs)
    case .test:
      (own, other) = (test.outputs, try LearnerEvaluation.outputs(reference, source: data.test).outputs)
    }
    m[MetricName.distOutput.rawValue] = try OutputDistance.mean(own, other, kind: metricOptions.outputDistance)
    m[MetricName.distPara.rawValue] = try ParameterDistance.distance(
      model.parameterVector(), reference.parameterVector(), kind: metricOptions.parameterDistance)
    let attack = try MembershipInference.attack(
      retained: kept.outputs, test: test.outputs, forget: forget.outputs, feature: metricOptions.attackFeature,
      classifier: metricOptions.attackClassifier, seed: seed)
    m[MetricName.miaEfficacy.rawValue] = attack.forgetNonMemberPercent
    m[MetricName.miaAUC.rawValue] = attack.auc
    return m
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

  private func originalModel(
    _ run: RunIdentity, _ recipe: TrainingRecipe, _ makeModel: () throws -> Learner, _ data: ExperimentCatalog.Splits,
    method: UnlearningMethod
  ) throws -> ModelCache.Entry {
    let key = run.originalModelKey
    let needsPrepare = try method.prepare(options: MethodOptions(values: run.method.options)) != nil
    func usable(_ e: ModelCache.Entry) -> Bool { !needsPrepare || e.preparedMethods.contains(run.method.name) }
    if let e = originals[key], usable(e) { return e }
    let model = try makeModel()
    if let e = cache?.load("m0", key, model: model), usable(e) {
      log("M0 \(run.dataset)/\(run.model) seed \(run.seed): loaded from cache")
      originals = [key: e]
      return e
    }
    // Every scheduled method's observer watches this one training.
    var observers: [SGDTrainer.NamedObserver] = []
    var prepared: [String] = []
    for name in Set(scheduledMethods + [run.method.name]).sorted() {
      guard let m = try? registry.method(named: name) else { continue }
      let options = name == run.method.name ? run.method.options : (try? registry.resolve(NamedSpec(name)))?.options
      if let o = try m.prepare(options: MethodOptions(values: options ?? [:])) {
        observers.append((name, o))
        prepared.append(name)
      }
    }
    let initial = model.stateVector()
    var artifacts = PreparedArtifacts()
    log("training M0: \(run.dataset) \(run.model) \(run.training) seed \(run.seed), \(recipe.epochs) epochs")
    let summary = try SGDTrainer.train(
      model, source: data.train, recipe: recipe, observers: observers, artifacts: &artifacts,
      shouldStop: shouldStop, progress: progressPrinter("M0"))
    let entry = ModelCache.Entry(
      state: model.stateVector(), initialState: initial, seconds: summary.seconds, artifacts: artifacts,
      preparedMethods: prepared)
    log("M0 trained in \(Summary.fixed(summary.seconds, 1)) s")
    try cache?.store(entry, "m0", key, model: model)
    originals = [key: entry]
    return entry
  }

  private func retrainedModel(
    _ run: RunIdentity, _ recipe: TrainingRecipe, _ makeModel: () throws -> Learner, _ initial: [Float],
    _ request: ForgetRequest
  ) throws -> ModelCache.Entry {
    let key = run.retrainKey
    if let e = retrains[key] { return e }
    let model = try makeModel()
    if let e = cache?.load("retrain", key, model: model), e.initialState == initial {
      log("M_retrain \(run.scenario) seed \(run.seed): loaded from cache")
      retrains = [key: e]
      return e
    }
    try model.loadStateVector(initial)
    var scratch = PreparedArtifacts()
    log("training M_retrain: \(run.scenario) seed \(run.seed) on \(request.retained.count) samples")
    let summary = try SGDTrainer.train(
      model, source: request.train, indices: request.retained, recipe: recipe, artifacts: &scratch,
      shouldStop: shouldStop, progress: progressPrinter("M_retrain"))
    let entry = ModelCache.Entry(state: model.stateVector(), initialState: initial, seconds: summary.seconds)
    log("M_retrain trained in \(Summary.fixed(summary.seconds, 1)) s")
    try cache?.store(entry, "retrain", key, model: model)
    retrains = [key: entry]
    return entry
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
