import Foundation
import Core
import Methods

/// A results file's ok records as the survey's tables read them: each run with its dataset's
/// display name, its scenario kind (sample, label, label count) and its figures.
struct SurveyData {
  /// What kind of forgetting a scenario is.
  enum Kind: String, CaseIterable {
    case sample
    case label
    case labelCount = "label_count"
  }

  /// One run.
  struct Entry {
    var dataset: String
    var model: String
    var kind: Kind
    /// "1%", "3 labels", "K=4": the scenario within its kind.
    var detail: String
    /// The survey's order of scenarios within a kind (fraction, label count or K).
    var order: Double
    var method: String
    var seed: UInt64
    var metrics: [String: Double]
    var reference: [String: Double]
    var labelCount: Int?
  }

  var entries: [Entry]
  /// Datasets in first-seen order.
  var datasets: [String]
  /// Methods in the survey's order, then others by first appearance.
  var methods: [String]

  /// The last ok record of each run key among `records`; `titles` names datasets by canonical spec.
  init(records: [RunRecord], titles: [String: String]) {
    var latest: [String: RunRecord] = [:]
    var order: [String] = []
    for r in records where r.status == .ok {
      if latest[r.key] == nil { order.append(r.key) }
      latest[r.key] = r
    }
    var entries: [Entry] = []
    for key in order {
      guard let r = latest[key] else { continue }
      let i = r.identity
      let scenario = i.scenario
      let kind: Kind
      var detail = scenario.canonical
      var position = 0.0
      var k: Int?
      switch scenario.name {
      case "sample":
        kind = .sample
        let f = scenario.options["fraction"]?.numberValue ?? 0.01
        detail = "\(ChartAxis.format(f * 100, decimals: f * 100 < 1 ? 1 : 0))%"
        position = f
      case "label":
        kind = .label
        let c = Int(scenario.options["count"]?.numberValue ?? 1)
        detail = c == 1 ? "1 label" : "\(c) labels"
        position = Double(c)
      case "label_count":
        kind = .labelCount
        k = ResultTable.labelCount(scenario)
        detail = "K=\(k ?? 0)"
        position = Double(k ?? 0)
      default:
        continue
      }
      entries.append(
        Entry(
          dataset: titles[i.dataset.canonical] ?? i.dataset.canonical, model: i.model.name, kind: kind,
          detail: detail, order: position, method: i.method.name, seed: i.seed, metrics: r.metrics,
          reference: r.reference ?? [:], labelCount: k))
    }
    self.entries = entries
    var ds: [String] = []
    for e in entries where !ds.contains(e.dataset) { ds.append(e.dataset) }
    datasets = ds
    var ms = SurveyProfile.methods.filter { m in entries.contains { $0.method == m } }
    for e in entries where !ms.contains(e.method) { ms.append(e.method) }
    methods = ms
  }

  /// The entries matching every condition given.
  func select(
    dataset: String? = nil, kind: Kind? = nil, kinds: Set<Kind>? = nil, method: String? = nil, detail: String? = nil
  ) -> [Entry] {
    entries.filter {
      (dataset == nil || $0.dataset == dataset) && (kind == nil || $0.kind == kind)
        && (kinds == nil || kinds!.contains($0.kind)) && (method == nil || $0.method == method)
        && (detail == nil || $0.detail == detail)
    }
  }

  /// The scenario details of `kind`, in the survey's order.
  func details(_ kind: Kind) -> [String] {
    var seen: [(String, Double)] = []
    for e in entries where e.kind == kind && !seen.contains(where: { $0.0 == e.detail }) { seen.append((e.detail, e.order)) }
    return seen.sorted { $0.1 < $1.1 }.map(\.0)
  }

  /// The mean of `metric` over `entries` per seed, then mean ± std over seeds (std nil for one).
  static func overSeeds(_ entries: [Entry], _ value: (Entry) -> Double?) -> (mean: Double, std: Double?, n: Int)? {
    var bySeed: [UInt64: [Double]] = [:]
    for e in entries { if let v = value(e), v.isFinite { bySeed[e.seed, default: []].append(v) } }
    let perSeed = bySeed.values.map { $0.reduce(0, +) / Double($0.count) }
    guard let s = try? Summary(perSeed) else { return nil }
    return (s.mean, s.count > 1 ? s.std : nil, s.count)
  }

  /// The arithmetic mean, nil for none.
  static func mean(_ values: [Double]) -> Double? {
    let v = values.filter(\.isFinite)
    return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
  }

  /// The geometric mean of positive values, nil for none.
  static func geometricMean(_ values: [Double]) -> Double? {
    let v = values.filter { $0.isFinite && $0 > 0 }
    return v.isEmpty ? nil : exp(v.reduce(0) { $0 + log($1) } / Double(v.count))
  }
}
