/// Renders a `ResultTable` as CSV in long form: one line per row × metric with mean, std and
/// the number of seeds, so spreadsheets and pandas can pivot it as they like.
public enum CSVReport {
  /// The CSV text, with a header line.
  public static func render(_ table: ResultTable) -> String {
    var lines = ["dataset,model,training,scenario,method,options,metric,mean,std,seeds"]
    for r in table.rows {
      for m in table.metricNames {
        guard let s = r.metrics[m] else { continue }
        lines.append(
          [r.dataset, r.model, r.training, r.scenario, r.method, r.options, m, "\(s.mean)", "\(s.std)",
            "\(s.count)"].map(field).joined(separator: ","))
      }
      if let t = r.unlearnSeconds {
        lines.append(
          [r.dataset, r.model, r.training, r.scenario, r.method, r.options, "unlearn_s", "\(t.mean)",
            "\(t.std)", "\(t.count)"].map(field).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
  static func field(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
