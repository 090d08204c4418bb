import Methods

/// One sweep (one `lethe.experiment.run{...}`) laid out for a cluster, without loading any data:
/// its runs with their stable identifiers (`RunIdentity.key`), the models they need — each M0 and
/// each M_retrain once — and what each is expected to cost (`CostModel`).
///
/// A model's identifier names what determines it without the data: M0 by dataset, model,
/// training and seed (plus the scenario for a scenario that changes the data M0 trains on, such
/// as `label_count`, and the method and its change for a method that trains an M0 of its own);
/// M_retrain by its M0 and the scenario. Different identifiers may still land on one cache entry
/// (two `label_count` scenarios that keep the same classes): the cache's lock trains it once.
public struct SweepPlan: Sendable {
  /// A model the sweep needs.
  public struct Model: Sendable, Equatable {
    /// `m0-<16 hex>` or `retrain-<16 hex>`.
    public var id: String
    /// M0 or M_retrain.
    public var kind: RunPipeline.ModelKind
    /// A run that needs it (the pipeline trains it as for that run).
    public var run: RunIdentity
    /// What it is, for people.
    public var summary: String
    /// Expected core-seconds.
    public var cost: Double
  }

  /// A run of the sweep.
  public struct Run: Sendable, Equatable {
    /// The run (its `key` is the run's identifier).
    public var identity: RunIdentity
    /// The identifiers of its M0 and its M_retrain.
    public var models: [String]
    /// Expected core-seconds of the method's run (models not included).
    public var cost: Double
    /// The run's identifier.
    public var key: String { identity.key }
  }

  /// The sweep as the schedule wrote it.
  public var plan: ExperimentPlan
  /// Every run, in the order a single process runs them.
  public var runs: [Run]
  /// Every model, in order of first need.
  public var models: [Model]

  /// The plan of `plan`: checks every name (as a sweep does before training anything), expands
  /// the runs and names their models. Asks each scheduled method's `prepare` whether it changes
  /// training (a method whose `prepare` throws gets the shared M0; its runs fail when they run).
  public static func make(
    _ plan: ExperimentPlan, catalog: ExperimentCatalog, registry: MethodRegistry = .shared,
    costs: CostModel = .measured
  ) throws -> SweepPlan {
    try catalog.validate(plan.schedule)
    let identities = try plan.schedule.runs(resolveMethod: registry.resolve)
    var changes: [String: String] = [:]
    var reuses: [String: Bool] = [:]
    var preparable = Set<String>()
    for spec in Set(identities.map(\.method)) {
      let method = try registry.method(named: spec.name)
      let options = MethodOptions(values: spec.options)
      do {
        let observer = try method.prepare(options: options)
        preparable.insert(spec.canonical)
        if let change = observer?.trainingChange { changes[spec.canonical] = change }
      } catch {
        // Its runs fail with the message when they run; planning goes on.
      }
      reuses[spec.canonical] = method.reproducesRetraining(options: options)
    }
    var runs: [Run] = []
    var models: [Model] = []
    var known = Set<String>()
    for r in identities {
      var base = "dataset=\(r.dataset)|model=\(r.model)|training=\(r.training)|seed=\(r.seed)"
      if catalog.dataShapingScenarios.contains(r.scenario.name) { base += "|scenario=\(r.scenario)" }
      var original = base
      var originalSummary = "M0 \(r.dataset) \(r.model) \(r.training) seed \(r.seed)"
      if catalog.dataShapingScenarios.contains(r.scenario.name) { originalSummary += " \(r.scenario)" }
      if let change = changes[r.method.canonical] {
        original += "|method=\(r.method.name)|change=\(change)"
        originalSummary += " for \(r.method.name) (\(change))"
      }
      let m0 = Model(
        id: "m0-" + StableHash.hex(original), kind: .original, run: r, summary: originalSummary,
        cost: costs.trainingCost(r))
      let retrain = Model(
        id: "retrain-" + StableHash.hex(base + "|retrain|scenario=\(r.scenario)"), kind: .retrain, run: r,
        summary: "M_retrain \(r.dataset) \(r.model) \(r.training) seed \(r.seed) \(r.scenario)",
        cost: costs.trainingCost(r))
      for m in [m0, retrain] {
        if known.insert(m.id).inserted {
          models.append(m)
        } else if m.kind == .original, preparable.contains(r.method.canonical),
          let k = models.firstIndex(where: { $0.id == m.id }),
          !preparable.contains(models[k].run.method.canonical)
        {
          // The pipeline trains M0 as for its run, which fails when that run's `prepare` does.
          models[k].run = r
        }
      }
      runs.append(
        Run(identity: r, models: [m0.id, retrain.id],
          cost: costs.runCost(r, reusesRetraining: reuses[r.method.canonical] ?? false)))
    }
    return SweepPlan(plan: plan, runs: runs, models: models)
  }
}
