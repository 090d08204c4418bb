import Core

/// The chart of one metric in `lethe report`: a grouped bar chart (`GroupedBarChart`) with one
/// group per scenario (and dataset/model/training when the table mixes them) and one bar per
/// method (with its options when a method appears with several), each the mean over seeds with
/// ± one standard deviation.
public enum SVGBarChart {
  /// The SVG text for `metric` over `table`'s rows (rows without the metric are left out).
  public static func render(_ table: ResultTable, metric: String) -> String {
    // Several setups (dataset, model, training): each gets a short name, spelled out in the caption.
    var setupNames: [String: String] = [:]
    var setupOrder: [String] = []
    for r in table.rows where setupNames["\(r.dataset)|\(r.model)|\(r.training)"] == nil {
      let key = "\(r.dataset)|\(r.model)|\(r.training)"
      let base = r.dataset.split(separator: "(").first.map(String.init) ?? r.dataset
      setupOrder.append(key)
      setupNames[key] = base
    }
    let setups = setupOrder.count
    if setups > 1 {
      for (i, key) in setupOrder.enumerated() { setupNames[key] = "\(setupNames[key]!) #\(i + 1)" }
    }
    var optionSets: [String: Set<String>] = [:]
    for r in table.rows { optionSets[r.method, default: []].insert(r.options) }
    func seriesName(_ r: ResultTable.Row) -> String {
      (optionSets[r.method]?.count ?? 0) > 1 ? r.method + r.options : r.method
    }
    var groups: [GroupedBarChart.Group] = []
    var series: [String] = []
    for r in table.rows {
      guard let s = r.metrics[metric] else { continue }
      let name = seriesName(r)
      if !series.contains(name) { series.append(name) }
      var label = r.scenario
      if setups > 1 { label = "\(setupNames["\(r.dataset)|\(r.model)|\(r.training)"]!) · \(label)" }
      let bar = GroupedBarChart.Bar(series: name, mean: s.mean, std: s.count > 1 ? s.std : nil, n: s.count)
      if let i = groups.firstIndex(where: { $0.label == label }) {
        groups[i].bars.append(bar)
      } else {
        groups.append(GroupedBarChart.Group(label: label, bars: [bar]))
      }
    }
    let seeds = Set(table.rows.compactMap { $0.metrics[metric]?.count })
    var caption = "Bars: mean over seeds"
    caption += seeds.contains(where: { $0 > 1 }) ? "; error bars: ± 1 sample standard deviation." : "."
    if seeds.contains(1) { caption += " n=1: a single seed, no error bar." }
    if setups > 1 {
      for key in setupOrder {
        caption += " \(setupNames[key]!): " + key.split(separator: "|").joined(separator: ", ") + "."
      }
    }
    return GroupedBarChart(
      title: ResultTable.title(metric), axisLabel: MetricPresentation.axisLabel(metric, variants: table.variants),
      groups: groups, series: series, logScale: MetricPresentation.prefersLog(metric),
      bounds: MetricPresentation.bounds(metric), caption: caption
    ).render()
  }
}
