import Core

/// Renders a `ResultTable` as Markdown: the main table (mean ± std over seeds), failed runs, and
/// any corrupt lines of the results file.
public enum MarkdownReport {
  /// The main table alone (what `lethe report` prints).
  public static func mainTable(_ table: ResultTable, digits: Int = 2) -> String {
    let showSetup = Set(table.rows.map { "\($0.dataset)|\($0.model)|\($0.training)" }).count > 1
    var header = showSetup ? ["dataset", "model", "training"] : []
    header += ["scenario", "method", "seeds"] + table.metricNames.map { escape(ResultTable.title($0)) }
      + ["T_unlearn (s)"]
    var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---|" }.joined()]
    // Options are shown only where one method appears with several option sets.
    var optionSets: [String: Set<String>] = [:]
    for r in table.rows { optionSets[r.method, default: []].insert(r.options) }
    // Each column's decimals follow the spread of its values (`ValuePrecision`), so that close
    // values (attack AUCs near 0.5) stay apart.
    var decimals: [String: Int] = [:]
    for name in table.metricNames {
      decimals[name] = ValuePrecision.decimals(for: table.rows.compactMap { $0.metrics[name]?.mean })
    }
    let timeDecimals = ValuePrecision.decimals(for: table.rows.compactMap { $0.unlearnSeconds?.mean })
    for r in table.rows {
      var cells = showSetup ? [r.dataset, r.model, r.training] : []
      let method = (optionSets[r.method]?.count ?? 0) > 1 ? r.method + r.options : r.method
      cells += [r.scenario, method, "\(r.seeds.count)"]
      cells += table.metricNames.map { name in r.cell(name, decimals: decimals[name] ?? digits) ?? "–" }
      cells.append(r.unlearnSeconds.map { ResultTable.Row.cell($0, decimals: timeDecimals) } ?? "–")
      lines.append("| " + cells.map(escape).joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The whole report document.
  public static func document(
    _ table: ResultTable, source: String, corrupt: [ResultsFile.CorruptLine], charts: [String]
  ) -> String {
    var out = "# Lethe results\n\nSource: \(ReportText.code(source)). Each cell is mean ± sample standard deviation "
      + "over seeds (the mean alone when one seed ran: `seeds` is 1).\n\n"
    if let r = table.rows.first, Set(table.rows.map { "\($0.dataset)|\($0.model)|\($0.training)" }).count == 1 {
      out += "Dataset \(ReportText.code(r.dataset)), model \(ReportText.code(r.model)), "
        + "training \(ReportText.code(r.training)).\n\n"
    }
    out += mainTable(table)
    let withOptions = table.rows.filter { !$0.options.isEmpty }
    if !withOptions.isEmpty {
      out += "\n## Method options\n\n"
      var seen = Set<String>()
      for r in withOptions where seen.insert("\(r.method)|\(r.options)").inserted {
        out += "- \(ReportText.code(r.method)): \(escape(r.options))\n"
      }
    }
    if let correlations = CorrelationTable.markdown(table) {
      out += "\n## Spearman ρ between metrics (over the rows above)\n\n" + correlations
    }
    if let sweep = LabelCountCorrelation.markdown(table) {
      out += "\n## Spearman ρ between the label count K and each metric (label_count sweeps)\n\n" + sweep
    }
    if !table.failures.isEmpty {
      out += "\n## Failed runs\n\n"
      for f in table.failures {
        out += "- \(ReportText.code(f.identity.method.name)) on \(escape("\(f.identity.scenario)")) "
          + "seed \(f.identity.seed): \(escape(f.error ?? "no message"))\n"
      }
    }
    if !corrupt.isEmpty {
      out += "\n## Corrupt lines (skipped)\n\n"
      for c in corrupt { out += "- \(escape(c.description))\n" }
    }
    if !charts.isEmpty {
      out += "\n## Charts\n\n"
      for c in charts { out += "![\(c)](\(c))\n" }
    }
    return out
  }

  /// Text from the results file, escaped (`ReportText.markdown`).
  private static func escape(_ s: String) -> String { ReportText.markdown(s) }
}
