import Core

/// Spearman's ρ between every pair of metrics across a result table's rows (the survey's
/// Table 15: how ACC_test, DIST_output and DIST_para move together over methods and scenarios).
public enum CorrelationTable {
  /// A Markdown table of ρ for every metric pair with at least three rows holding both; nil when
  /// fewer than three rows exist.
  public static func markdown(_ table: ResultTable) -> String? {
    guard table.rows.count >= 3 else { return nil }
    let names = table.metricNames
    var lines = ["| ρ | " + names.map { ReportText.markdown(ResultTable.title($0)) }.joined(separator: " | ") + " |",
      "|---|" + names.map { _ in "---|" }.joined()]
    for a in names {
      var cells = [ReportText.markdown(ResultTable.title(a))]
      for b in names { cells.append(rho(table, a, b).map { Summary.fixed($0, 2) } ?? "–") }
      lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// ρ between metrics `a` and `b` over the rows holding both (row means), or nil when fewer
  /// than three rows do or a side is constant.
  public static func rho(_ table: ResultTable, _ a: String, _ b: String) -> Double? {
    let pairs = table.rows.compactMap { r -> (Double, Double)? in
      guard let x = r.metrics[a]?.mean, let y = r.metrics[b]?.mean else { return nil }
      return (x, y)
    }
    guard pairs.count >= 3, let r = try? Spearman.rho(pairs.map(\.0), pairs.map(\.1)), !r.isNaN else {
      return nil
    }
    return r
  }
}
