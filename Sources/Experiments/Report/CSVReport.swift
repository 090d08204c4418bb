import Core
import Methods

/// Renders a `ResultTable` as CSV, one line per row (dataset, model, training, scenario, method
/// with its options), for spreadsheets and pandas:
///
/// - `train.<option>`: every training hyperparameter of M0 and M_retrain, resolved (defaults
///   filled in);
/// - `method.<option>`: every option of every method in the table, resolved — a method's own
///   note of the value it used wins (finetune's `lr` default 0 means "M0's", and it notes the
///   rate it trained with), so a column holds the value that ran; empty for methods without it;
/// - `seeds`: how many seeds the row aggregates;
/// - `<metric>_mean`, `<metric>_std` for every metric and `unlearn_s`: the std is empty with one
///   seed (undefined, not zero).
public enum CSVReport {
  /// The CSV text, with a header line.
  public static func render(_ table: ResultTable) -> String {
    let trainingNames = TrainingRecipe.optionSpecs.map(\.name)
    var methodNames: [String] = []
    for r in table.rows {
      for name in (r.records.first?.identity.method.options.keys.sorted() ?? []) where !methodNames.contains(name) {
        methodNames.append(name)
      }
    }
    var header = ["dataset", "model", "training", "scenario", "method", "options"]
    header += trainingNames.map { "train.\($0)" } + methodNames.map { "method.\($0)" } + ["seeds"]
    for m in table.metricNames + ["unlearn_s"] { header += ["\(m)_mean", "\(m)_std"] }
    var lines = [header.map(field).joined(separator: ",")]
    for r in table.rows {
      // Text from the results file goes through `field`; the numbers are Lethe's own.
      var cells = [r.dataset, r.model, r.training, r.scenario, r.method, r.options].map(field)
      let first = r.records.first
      let recipe = first.flatMap { try? TrainingRecipe.from($0.identity.training, seed: 0) }
      let trainingValues: [String: Double] = recipe.map {
        ["epochs": Double($0.epochs), "batch_size": Double($0.batchSize), "lr": $0.learningRate,
          "momentum": $0.momentum, "weight_decay": $0.weightDecay]
      } ?? [:]
      cells += trainingNames.map { trainingValues[$0].map(number) ?? "" }
      cells += methodNames.map { name in
        guard let option = first?.identity.method.options[name] else { return "" }
        if let noted = first?.notes[name], option.numberValue != nil, let v = Double(noted) { return number(v) }
        return field(option.description)
      }
      cells.append("\(r.seeds.count)")
      for m in table.metricNames {
        cells += summaryCells(r.metrics[m])
      }
      cells += summaryCells(r.unlearnSeconds)
      lines.append(cells.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func summaryCells(_ s: Summary?) -> [String] {
    guard let s else { return ["", ""] }
    return [number(s.mean), s.count > 1 ? number(s.std) : ""]
  }

  /// A number as Swift prints a Double (round-trips exactly).
  private static func number(_ v: Double) -> String { "\(v)" }

  /// A CSV field (`ReportText.csv`: quoted when needed, never a spreadsheet formula).
  static func field(_ s: String) -> String { ReportText.csv(s) }
}
