import Core

/// Table 14: for each method, Spearman's ρ between the label count K of the label-count sweep and
/// each metric, computed per dataset over the K values (each point the mean over seeds) and
/// averaged over the datasets; a mean row over the methods. The survey's figure beside ours.
struct LabelCountTable {
  /// The survey's six columns, then the work-based speedup.
  static let metrics = SurveyReference.labelCountMetrics + ["speedup_work"]

  struct Row {
    var method: String
    var rho: [String: Double]
    var datasets: Int
  }

  var rows: [Row]
  var means: [String: Double]

  init(_ data: SurveyData) {
    // M_retrain itself is not an unlearning method (its distances are zero by construction).
    rows = data.methods.filter { $0 != "retrain" }.compactMap { method in
      var perMetric: [String: [Double]] = [:]
      var datasets = 0
      for d in data.datasets {
        let entries = data.select(dataset: d, kind: .labelCount, method: method)
        let ks = Set(entries.compactMap(\.labelCount)).sorted()
        guard ks.count >= 3 else { continue }
        datasets += 1
        for m in Self.metrics {
          let pairs = ks.compactMap { k -> (Double, Double)? in
            SurveyData.overSeeds(entries.filter { $0.labelCount == k }) { $0.metrics[m] }.map { (Double(k), $0.mean) }
          }
          if pairs.count >= 3, let r = try? Spearman.rho(pairs.map(\.0), pairs.map(\.1)), r.isFinite {
            perMetric[m, default: []].append(r)
          }
        }
      }
      guard datasets > 0 else { return nil }
      return Row(method: method, rho: perMetric.compactMapValues(SurveyData.mean), datasets: datasets)
    }
    var means: [String: Double] = [:]
    for m in Self.metrics { means[m] = SurveyData.mean(rows.compactMap { $0.rho[m] }) }
    self.means = means
  }

  /// The mean ρ of the methods in `category` (the survey's taxonomy) for `metric`.
  func categoryMean(_ metric: String, where belongs: (String) -> Bool) -> Double? {
    SurveyData.mean(rows.filter { belongs($0.method) }.compactMap { $0.rho[metric] })
  }

  func markdown() -> String {
    let header = Self.metrics.map { ResultTable.title($0) }
    var lines = [
      "| method | datasets | " + header.joined(separator: " | ") + " |",
      "|---|---|" + Self.metrics.map { _ in "---|" }.joined(),
    ]
    for r in rows {
      let survey = SurveyReference.labelCount[r.method]
      let cells = Self.metrics.enumerated().map { i, m -> String in
        let theirs = i < SurveyReference.labelCountMetrics.count ? survey?[i] : nil
        return Self.cell(r.rho[m], theirs.flatMap { $0 })
      }
      lines.append("| \(r.method) | \(r.datasets) | " + cells.joined(separator: " | ") + " |")
    }
    let meanCells = Self.metrics.map { Self.cell(means[$0], SurveyReference.labelCountMeans[$0]) }
    lines.append("| **mean** | | " + meanCells.joined(separator: " | ") + " |")
    return lines.joined(separator: "\n") + "\n"
  }

  func csv() -> String {
    var lines = ["method,datasets," + Self.metrics.joined(separator: ",")]
    for r in rows {
      lines.append("\(r.method),\(r.datasets)," + Self.metrics.map { r.rho[$0].map { "\($0)" } ?? "" }.joined(separator: ","))
    }
    lines.append("mean,," + Self.metrics.map { means[$0].map { "\($0)" } ?? "" }.joined(separator: ","))
    return lines.joined(separator: "\n") + "\n"
  }

  /// "−0.90 (−1.00)": ours, then the survey's in brackets when it has one.
  static func cell(_ ours: Double?, _ theirs: Double?) -> String {
    let a = ours.map { ChartAxis.format($0, decimals: 2) } ?? "–"
    return theirs.map { a + " (\(ChartAxis.format($0, decimals: 2)))" } ?? a
  }
}

/// Table 15: Spearman's ρ between pairs of metrics (ACC_test and DIST_output, ACC_test and
/// DIST_para, DIST_output and DIST_para) over the methods' models (M_retrain itself left out),
/// for each sample and label scenario and dataset, each method's value the mean over seeds; a
/// mean row. The survey's figure beside ours where it reported that dataset.
struct MetricPairTable {
  struct Row {
    var scenario: String
    var dataset: String
    var rho: [Double?]
    var methods: Int
  }

  var rows: [Row]
  var means: [Double?]

  init(_ data: SurveyData) {
    var rows: [Row] = []
    for kind in [SurveyData.Kind.sample, .label] {
      for detail in data.details(kind) {
        for d in data.datasets {
          let entries = data.select(dataset: d, kind: kind, detail: detail).filter { $0.method != "retrain" }
          let methods = Set(entries.map(\.method)).sorted()
          guard !methods.isEmpty else { continue }
          let rho = SurveyReference.metricPairs.map { (a, b) -> Double? in
            let pairs = methods.compactMap { m -> (Double, Double)? in
              let es = entries.filter { $0.method == m }
              guard let x = SurveyData.overSeeds(es, { $0.metrics[a] }), let y = SurveyData.overSeeds(es, { $0.metrics[b] })
              else { return nil }
              return (x.mean, y.mean)
            }
            guard pairs.count >= 3, let r = try? Spearman.rho(pairs.map(\.0), pairs.map(\.1)), r.isFinite else {
              return nil
            }
            return r
          }
          rows.append(Row(scenario: detail, dataset: d, rho: rho, methods: methods.count))
        }
      }
    }
    self.rows = rows
    means = (0..<SurveyReference.metricPairs.count).map { i in SurveyData.mean(rows.compactMap { $0.rho[i] }) }
  }

  func markdown() -> String {
    var lines = [
      "| scenario | dataset | methods | ρ(ACC_test, DIST_output) | ρ(ACC_test, DIST_para) | ρ(DIST_output, DIST_para) |",
      "|---|---|---|---|---|---|",
    ]
    for r in rows {
      let theirs = SurveyReference.surveyDataset(r.dataset).flatMap { SurveyReference.metricPairTable[r.scenario]?[$0] }
      let cells = r.rho.enumerated().map { i, v in LabelCountTable.cell(v, theirs?[i]) }
      lines.append("| \(r.scenario) | \(r.dataset) | \(r.methods) | " + cells.joined(separator: " | ") + " |")
    }
    let meanCells = means.enumerated().map { i, v in LabelCountTable.cell(v, SurveyReference.metricPairMeans[i]) }
    lines.append("| **mean** | | | " + meanCells.joined(separator: " | ") + " |")
    return lines.joined(separator: "\n") + "\n"
  }

  func csv() -> String {
    var lines = ["scenario,dataset,methods,acc_test~dist_output,acc_test~dist_para,dist_output~dist_para"]
    for r in rows {
      lines.append(
        [CSVReport.field(r.scenario), CSVReport.field(r.dataset), "\(r.methods)"].joined(separator: ",") + ","
          + r.rho.map { $0.map { "\($0)" } ?? "" }.joined(separator: ","))
    }
    lines.append("mean,,," + means.map { $0.map { "\($0)" } ?? "" }.joined(separator: ","))
    return lines.joined(separator: "\n") + "\n"
  }
}
