import Core
import Foundation

/// The survey profile's report, laid out like the paper's §6.2: Table 13 (ratings), Table 14
/// (label count against each metric), Table 15 (metric pairs), Figures 2 and 3, the findings
/// with the survey's figures beside Lethe's, and a verdict on each of the survey's claims —
/// together with everything the run did differently from the survey (reductions, skipped
/// datasets, absent methods) and what the full grid would cost.
///
/// Written into the plan's report folder beside the general report (`ReportWriter`: results.md,
/// results.csv, one chart per metric): `survey.md`, `table13.csv`, `table14.csv`, `table15.csv`,
/// `figure2-<metric>.svg`, `figure3-<metric>.svg`.
public enum SurveyReport {
  /// What was written.
  public struct Output: Sendable {
    /// Every file written, the general report's included.
    public var files: [String]
    /// The verdicts section (what the CLI prints at the end).
    public var verdicts: String
    /// The findings section.
    public var findings: String
    /// Table 13.
    public var ratings: String
  }

  /// Reads the plan's results and writes the report. `runSeconds` is how long the run took (0:
  /// unknown); `cost` lines state what the profiles need (`Survey.costLines`).
  public static func write(_ plan: SurveyPlan, runSeconds: Double, cost: [String] = []) throws -> Output {
    let general = try ReportWriter.write(resultsPath: plan.resultsPath, directory: plan.reportDirectory)
    let records = try ResultsFile(path: plan.resultsPath).read().records
    let data = SurveyData(records: records, titles: plan.datasetTitles)
    let ratings = RatingsTable(data)
    let labelCount = LabelCountTable(data)
    let pairs = MetricPairTable(data)
    let findings = SurveyFindings(data)
    let verdicts = SurveyVerdicts(ratings: ratings, labelCount: labelCount, pairs: pairs, findings: findings)
    let variants = general.table.variants
    var files = general.files
    let dir = plan.reportDirectory
    var figure2: [String] = [], figure3: [String] = []
    for metric in SurveyFigures.metrics {
      if let svg = SurveyFigures.figure2(data, metric: metric, variants: variants) {
        figure2.append(try save(svg, dir, "figure2-\(metric).svg"))
      }
      if let svg = SurveyFigures.figure3(data, metric: metric, variants: variants) {
        figure3.append(try save(svg, dir, "figure3-\(metric).svg"))
      }
    }
    let tables = [
      try save(ratings.csv(), dir, "table13.csv"), try save(labelCount.csv(), dir, "table14.csv"),
      try save(pairs.csv(), dir, "table15.csv"),
    ]

    var md = "# The survey's unified experiment, run by Lethe\n\n"
    if plan.synthetic {
      md += "> **Synthetic data.** The `\(plan.profile.rawValue)` profile runs on synthetic stand-ins: every figure "
        + "below is from synthetic tables, not from the survey's datasets, and says nothing about them.\n\n"
    }
    md += header(plan, records: records, runSeconds: runSeconds, general: general)
    md += "\n## How this run departs from the survey\n\n"
    for r in plan.reductions { md += "- \(r)\n" }
    for s in plan.skipped { md += "- dataset `\(s.name)` skipped: not found. \(s.howToGet)\n" }
    if plan.reductions.isEmpty && plan.skipped.isEmpty { md += "- nothing\n" }
    md += "\n## Table 13: ratings\n\n" + RatingsTable.rule + "\n\n" + ratings.markdown()
    let (same, compared) = ratings.agreement
    if compared > 0 { md += "\n\(same) of \(compared) letters agree with the survey's.\n" }
    md += "\n## Table 14: Spearman ρ between the label count and each metric\n\n"
      + "Per dataset over the label-count sweep (one label forgotten, K labels in all; each point the mean over "
      + "seeds), averaged over datasets. Each cell: Lethe (the survey).\n\n"
    md += labelCount.rows.isEmpty ? "No method ran a sweep of three or more label counts.\n" : labelCount.markdown()
    md += "\n## Table 15: Spearman ρ between metrics\n\n"
      + "Over the methods' models (M_retrain itself left out; each method the mean over seeds), per scenario and "
      + "dataset. Each cell: Lethe (the survey, where it reported the dataset).\n\n"
    md += pairs.rows.isEmpty ? "No scenario ran.\n" : pairs.markdown()
    md += "\n## Figure 2: every metric by dataset and method\n\n"
    for f in figure2 { md += image(f) }
    md += "\n## Figure 3: every metric against the label count\n\n"
    md += figure3.isEmpty ? "No label-count sweep ran.\n" : figure3.map(image).joined()
    let findingsText = findings.markdown()
    md += "\n## Findings\n\n" + findingsText
    let verdictText = verdicts.markdown()
    md += "\n## Verdicts\n\n"
      + "A correlation is *reproduced* with the survey's sign and |ρ| ≥ 0.3, *partly* with its sign but weaker, "
      + "*not* with the other sign; a claim of several parts is *reproduced* when all hold, *partly* when some do. "
      + (plan.synthetic ? "On synthetic data these verdicts only show the machinery works. " : "")
      + "\n\n" + verdictText
    if !cost.isEmpty {
      md += "\n## What the profiles cost\n\n"
      for line in cost { md += "- \(line)\n" }
    }
    md += "\n## Files\n\n"
    md += "- general report: `results.md`, `results.csv`, one chart per metric (`<metric>.svg`)\n"
    md += "- tables as CSV: " + tables.map { "`\(($0 as NSString).lastPathComponent)`" }.joined(separator: ", ") + "\n"
    let surveyPath = try save(md, dir, "survey.md")
    files += [surveyPath] + tables + figure2 + figure3
    return Output(files: files, verdicts: verdictText, findings: findingsText, ratings: ratings.markdown())
  }

  static func header(_ plan: SurveyPlan, records: [RunRecord], runSeconds: Double, general: ReportWriter.Output)
    -> String
  {
    let ok = Set(records.filter { $0.status == .ok }.map(\.key)).count
    var out = "Profile `\(plan.profile.rawValue)`; results `\(plan.resultsPath)`: \(ok) runs recorded ok, "
      + "\(general.table.failures.count) failed (see `results.md`).\n"
    if runSeconds > 0 { out += "This invocation took \(String(format: "%.1f", runSeconds / 60)) minutes.\n" }
    out += "Methods: " + plan.methods.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
    if !plan.absentMethods.isEmpty {
      out += "Not registered in this build (left out): " + plan.absentMethods.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
    }
    if let last = records.last(where: { $0.status == .ok }) {
      let b = last.build
      out += "Machine: \(last.machine.cpu), \(last.machine.threads) threads; Lethe \(last.letheVersion)"
      if let c = b?.gitCommit { out += ", commit \(c.prefix(12))" + (b?.gitDirty == true ? " (modified)" : "") }
      if let b { out += ", GEMM \(b.gemm), \(b.compiler), \(b.configuration) build" }
      out += ".\n"
    }
    return out
  }

  /// A Markdown image of the chart at `path`, linked by its file name (the report's folder moves
  /// as a whole).
  static func image(_ path: String) -> String {
    let name = (path as NSString).lastPathComponent
    return "![\(name)](\(name))\n"
  }

  @discardableResult
  static func save(_ text: String, _ directory: String, _ name: String) throws -> String {
    let path = "\(directory)/\(name)"
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw ExperimentError.io(path: path, message: "cannot write: \(error)")
    }
    return path
  }
}
