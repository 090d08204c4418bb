import Core

/// The survey's Table 14: for each method, Spearman's ρ between the label count K of
/// `label_count` scenarios and every metric, over that method's rows (one per K; row means over
/// seeds). Rows of one dataset, model, training and option set form a sweep.
public enum LabelCountCorrelation {
  /// One method's sweep: its K values and ρ per metric (nil when a side is constant).
  public struct Sweep: Sendable {
    /// "method" or "method(options)", with dataset/model when the table mixes them.
    public var label: String
    /// The distinct label counts, ascending.
    public var counts: [Int]
    /// ρ(K, metric) by metric name.
    public var rho: [String: Double]
  }

  /// Every sweep with at least three distinct label counts.
  public static func sweeps(_ table: ResultTable) -> [Sweep] {
    var groups: [String: [ResultTable.Row]] = [:]
    var order: [String] = []
    for r in table.rows where r.labelCount != nil {
      let g = [r.dataset, r.model, r.training, r.method, r.options].joined(separator: "|")
      if groups[g] == nil { order.append(g) }
      groups[g, default: []].append(r)
    }
    let mixed = Set(order.map { $0.split(separator: "|").prefix(3).joined(separator: "|") }).count > 1
    return order.compactMap { g in
      let rows = groups[g]!
      let counts = Set(rows.compactMap(\.labelCount)).sorted()
      guard counts.count >= 3 else { return nil }
      var rho: [String: Double] = [:]
      for metric in table.metricNames {
        let pairs = rows.compactMap { r in r.metrics[metric].map { (Double(r.labelCount!), $0.mean) } }
        if pairs.count >= 3, let p = try? Spearman.rho(pairs.map(\.0), pairs.map(\.1)), !p.isNaN {
          rho[metric] = p
        }
      }
      let r = rows[0]
      var label = r.method + r.options  // options print as "(a=1,b=2)", or nothing
      if mixed { label += " on \(r.dataset)/\(r.model)" }
      return Sweep(label: label, counts: counts, rho: rho)
    }
  }

  /// The Markdown table, or nil when no method has a sweep of three or more label counts.
  public static func markdown(_ table: ResultTable) -> String? {
    let all = sweeps(table)
    guard !all.isEmpty else { return nil }
    let names = table.metricNames
    var lines = ["| method | K | " + names.map { ReportText.markdown(ResultTable.title($0)) }.joined(separator: " | ") + " |",
      "|---|---|" + names.map { _ in "---|" }.joined()]
    for s in all {
      let cells = names.map { s.rho[$0].map { Summary.fixed($0, 2) } ?? "–" }
      lines.append("| \(ReportText.markdown(s.label)) | \(s.counts.map(String.init).joined(separator: ",")) | "
        + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
