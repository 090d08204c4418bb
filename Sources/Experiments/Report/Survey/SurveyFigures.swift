import Core

/// The survey's figures from the runs: Figure 2 (every metric for methods × datasets, grouped
/// bars, sample and label unlearning apart) and Figure 3 (every metric against the label count,
/// one line per method, the mean over datasets).
enum SurveyFigures {
  /// The metrics drawn, in order.
  static let metrics = [
    "acc_test", "acc_remained", "acc_deleted", "dist_output", "dist_para", "mia_efficacy", "mia_auc", "speedup",
    "speedup_work",
  ]

  /// Figure 2 for `metric`: a group per dataset and scenario kind, a bar per method, each the
  /// mean over the kind's scenarios for one seed, then mean ± std over seeds. Nil when no run
  /// has the metric.
  static func figure2(_ data: SurveyData, metric: String, variants: [String: String]?) -> String? {
    var groups: [GroupedBarChart.Group] = []
    for d in data.datasets {
      for kind in [SurveyData.Kind.sample, .label] {
        let bars = data.methods.compactMap { m -> GroupedBarChart.Bar? in
          guard let s = SurveyData.overSeeds(data.select(dataset: d, kind: kind, method: m), { $0.metrics[metric] })
          else { return nil }
          return GroupedBarChart.Bar(series: m, mean: s.mean, std: s.std, n: s.n)
        }
        if !bars.isEmpty { groups.append(GroupedBarChart.Group(label: "\(d), \(kind.rawValue)", bars: bars)) }
      }
    }
    guard !groups.isEmpty else { return nil }
    return GroupedBarChart(
      title: "Figure 2 · \(ResultTable.title(metric)) by dataset and method",
      axisLabel: MetricPresentation.axisLabel(metric, variants: variants), groups: groups, series: data.methods,
      logScale: MetricPresentation.prefersLog(metric), bounds: MetricPresentation.bounds(metric),
      caption: "Each bar: the mean over the kind's scenarios (sample: 1/5/10%; label: 1 and 3 labels), "
        + "then over seeds; error bars ± 1 sample standard deviation over seeds; n=1: one seed, no error bar."
    ).render()
  }

  /// Figure 3 for `metric`: x the label count K, a line per method, each point the mean over the
  /// datasets that ran that K (each dataset's value the mean over seeds); error bars ± 1 std over
  /// those datasets. Nil without a label-count sweep.
  static func figure3(_ data: SurveyData, metric: String, variants: [String: String]?) -> String? {
    var series: [LineChart.Series] = []
    for m in data.methods {
      let entries = data.select(kind: .labelCount, method: m)
      let ks = Set(entries.compactMap(\.labelCount)).sorted()
      let points = ks.compactMap { k -> LineChart.Point? in
        let perDataset = data.datasets.compactMap { d in
          SurveyData.overSeeds(entries.filter { $0.dataset == d && $0.labelCount == k }) { $0.metrics[metric] }?.mean
        }
        guard let s = try? Summary(perDataset) else { return nil }
        return LineChart.Point(x: Double(k), mean: s.mean, std: s.count > 1 ? s.std : nil, n: s.count)
      }
      if !points.isEmpty { series.append(LineChart.Series(name: m, points: points)) }
    }
    guard !series.isEmpty else { return nil }
    return LineChart(
      title: "Figure 3 · \(ResultTable.title(metric)) against the label count",
      xLabel: "label count K (one label forgotten)", yLabel: MetricPresentation.axisLabel(metric, variants: variants),
      series: series, logScale: MetricPresentation.prefersLog(metric), bounds: MetricPresentation.bounds(metric),
      caption: "Each point: the mean over datasets of the mean over seeds; error bars ± 1 std over datasets."
    ).render()
  }
}
