import Core
import Methods

/// Results aggregated over seeds: one row per (dataset, model, training, scenario, method) and,
/// in it, mean ± standard deviation of every metric over the seeds that ran.
public struct ResultTable: Sendable {
  /// One row of the table.
  public struct Row: Sendable {
    /// The dataset's canonical name.
    public var dataset: String
    /// The model's canonical name.
    public var model: String
    /// The training configuration's canonical name.
    public var training: String
    /// The scenario's canonical name.
    public var scenario: String
    /// The method's name.
    public var method: String
    /// The method's options, canonical.
    public var options: String
    /// The seeds that contributed.
    public var seeds: [UInt64]
    /// Mean ± std per metric name (metrics a run did not record are absent).
    public var metrics: [String: Summary]
    /// Mean ± std of the unlearning time in seconds.
    public var unlearnSeconds: Summary?
    /// For a `label_count` scenario, its label count K (the `classes` option or its default).
    public var labelCount: Int?
    /// The ok records behind the row, one per seed.
    public var records: [RunRecord] = []

    /// "mean ± std" of `metric` with `decimals` decimals, or the mean alone when one seed ran
    /// (a standard deviation of one value is not 0, it is undefined); nil when absent.
    public func cell(_ metric: String, decimals: Int) -> String? {
      guard let s = metrics[metric] else { return nil }
      return Self.cell(s, decimals: decimals)
    }

    /// "mean ± std", or the mean alone for one value.
    public static func cell(_ s: Summary, decimals: Int) -> String {
      s.count > 1 ? s.formatted(digits: decimals) : Summary.fixed(s.mean, decimals)
    }
  }

  /// The rows, in the order their groups first appear in the results.
  public var rows: [Row]
  /// The metric names present, in `MetricName` order then alphabetically for others.
  public var metricNames: [String]
  /// Failed runs (the latest record of each failed key that never succeeded).
  public var failures: [RunRecord]
  /// The metric variants the records name (the first record that names them), for axis labels.
  public var variants: [String: String]?

  /// Aggregates `records`: for each run key the last ok record counts; a key with no ok record
  /// but a failed one is listed in `failures`.
  public init(records: [RunRecord]) {
    var latestOK: [String: RunRecord] = [:]
    var latestFailed: [String: RunRecord] = [:]
    var order: [String] = []
    for r in records {
      if latestOK[r.key] == nil && latestFailed[r.key] == nil { order.append(r.key) }
      if r.status == .ok { latestOK[r.key] = r } else { latestFailed[r.key] = r }
    }
    failures = order.compactMap { latestOK[$0] == nil ? latestFailed[$0] : nil }
    var groups: [String: [RunRecord]] = [:]
    var groupOrder: [String] = []
    for key in order {
      guard let r = latestOK[key] else { continue }
      let i = r.identity
      let g = [i.dataset.canonical, i.model.canonical, i.training.canonical, i.scenario.canonical,
        i.method.canonical].joined(separator: "|")
      if groups[g] == nil { groupOrder.append(g) }
      groups[g, default: []].append(r)
    }
    var names = Set<String>()
    rows = groupOrder.map { g in
      let rs = groups[g]!
      let i = rs[0].identity
      var metrics: [String: Summary] = [:]
      let keys = Set(rs.flatMap { $0.metrics.keys })
      for k in keys {
        let values = rs.compactMap { $0.metrics[k] }
        if let s = try? Summary(values) { metrics[k] = s }
      }
      names.formUnion(metrics.keys)
      return Row(
        dataset: i.dataset.canonical, model: i.model.canonical, training: i.training.canonical,
        scenario: i.scenario.canonical, method: i.method.name,
        options: NamedSpec("", i.method.options).canonical, seeds: rs.map(\.identity.seed),
        metrics: metrics, unlearnSeconds: try? Summary(rs.map(\.timings.unlearnSeconds)),
        labelCount: Self.labelCount(i.scenario), records: rs)
    }
    variants = order.lazy.compactMap { latestOK[$0]?.metricVariants }.first
    let known = MetricName.allCases.map(\.rawValue).filter { names.contains($0) }
    metricNames = known + names.subtracting(known).sorted()
  }

  /// K of a `label_count` scenario spec (its default when not given), else nil.
  static func labelCount(_ scenario: NamedSpec) -> Int? {
    guard scenario.name == "label_count",
      let o = try? MethodOptions.resolve(
        scenario.options, specs: ExperimentCatalog.labelCountOptions, owner: "scenario 'label_count'"),
      let k = try? o.integer("classes")
    else { return nil }
    return k
  }

  /// The header title of a metric name.
  public static func title(_ metric: String) -> String {
    (try? MetricName.named(metric).title) ?? metric
  }
}
