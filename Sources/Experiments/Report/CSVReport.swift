/// Renders a `ResultTable` as CSV in long form: one line per row × metric with mean, std and
/// the number of seeds, so spreadsheets and pandas can pivot it as they like.
public enum CSVReport {
  /// The CSV text, with a header line.
  public static func render(_ table: ResultTable) -> String {
    var lines = ["dataset,model,training,scenario,method,options,metric,mean,std,seeds"]
    for r in table.rows {
      // Text from the results file goes through `field`; the numbers are Lethe's own.
      let row = [r.dataset, r.model, r.training, r.scenario, r.method, r.options].map(field)
      for m in table.metricNames {
        guard let s = r.metrics[m] else { continue }
        lines.append((row + [field(m), "\(s.mean)", "\(s.std)", "\(s.count)"]).joined(separator: ","))
      }
      if let t = r.unlearnSeconds {
        lines.append((row + ["unlearn_s", "\(t.mean)", "\(t.std)", "\(t.count)"]).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A CSV field (`ReportText.csv`: quoted when needed, never a spreadsheet formula).
  static func field(_ s: String) -> String { ReportText.csv(s) }
}
