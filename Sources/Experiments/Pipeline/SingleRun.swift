import Core
import Foundation
import Methods

/// One method, once, on one (dataset, model, training, scenario, seed): what `lethe try` and
/// `lethe.experiment.try{...}` run while a method is being written. M0 and M_retrain come from
/// the model cache when a schedule (or an earlier try) trained them with the same dataset, model,
/// training options and seed, so a try costs the method's own time plus the metrics. Unlike a
/// schedule it always runs the method, and it records the run only when asked (`resultsPath`).
public enum SingleRun {
  /// Runs the one run `plan` describes and returns its record (also appended to `resultsPath`
  /// when given). A plan with more than one run is an error; so is a failing method.
  public static func run(
    _ plan: ExperimentPlan, resultsPath: String?, catalog: ExperimentCatalog, registry: MethodRegistry = .shared,
    threads: Int, log: @escaping (String) -> Void = { print($0) }, shouldStop: @escaping @Sendable () -> Bool = { false }
  ) throws -> RunRecord {
    try catalog.validate(plan.schedule)
    let runs = try plan.schedule.runs(resolveMethod: registry.resolve)
    guard runs.count == 1, let run = runs.first else {
      throw ExperimentError.invalidSchedule("a single run takes one dataset, model, training, scenario, method and seed")
    }
    let pipeline = RunPipeline(
      catalog: catalog, registry: registry, cache: ModelCache(directory: plan.cacheDirectory), metrics: plan.metrics,
      scheduledMethods: [run.method.name], log: log, shouldStop: shouldStop)
    if let resultsPath {
      let folder = (resultsPath as NSString).deletingLastPathComponent
      try OutputFolders.writable(folder.isEmpty ? "." : folder, role: "the results folder")
    }
    let outcome = try pipeline.execute(run)
    let record = RunRecord(
      identity: run, status: .ok, scenarioDigest: outcome.scenarioDigest, forgetCount: outcome.forgetCount,
      metrics: outcome.metrics, notes: outcome.notes, timings: outcome.timings,
      machine: .current(threads: threads))
    if let resultsPath {
      try ResultsFile(path: resultsPath).append(record)
    }
    return record
  }

  /// The keys a single run's table accepts.
  public static let keys = ["dataset", "model", "training", "scenario", "method", "seed", "cache", "results", "metrics"]

  /// The plan of one run from a table such as
  /// `{method = "ssd", dataset = "fashion-mnist", model = "cnn", training = {epochs = 3},
  /// scenario = {"sample", fraction = 0.01}, seed = 0, cache = ".lethe-cache"}` (each axis one
  /// entry of a schedule's list; `method` is required; the others default to Fashion-MNIST, the
  /// CNN, the default training, 1% sample unlearning and seed 0), with the results file to append
  /// to when `results` is given.
  public static func plan(from value: ConfigValue) throws -> (plan: ExperimentPlan, resultsPath: String?) {
    guard case .table(let t) = value else {
      throw ExperimentError.invalidSchedule("a single run is a table, got a \(value.kindName)")
    }
    if let bad = t.keys.sorted().first(where: { !keys.contains($0) }) {
      throw ExperimentError.unknownName(kind: "single-run key", name: bad, valid: keys)
    }
    guard let method = t["method"] else { throw ExperimentError.invalidSchedule("'method' is missing") }
    var schedule: [String: ConfigValue] = [
      "methods": .list([method]),
      "datasets": .list([t["dataset"] ?? .string("fashion-mnist")]),
      "models": .list([t["model"] ?? .string("cnn")]),
      "scenarios": .list([t["scenario"] ?? .table(["name": .string("sample"), "fraction": .number(0.01)])]),
      "seeds": .list([t["seed"] ?? .number(0)]),
    ]
    for key in ["training", "cache", "metrics"] { if let v = t[key] { schedule[key] = v } }
    var resultsPath: String?
    if let r = t["results"] {
      guard case .string(let path) = r, !path.isEmpty else {
        throw ExperimentError.invalidSchedule("'results' must be a non-empty string (a path)")
      }
      resultsPath = path
    }
    return (try ExperimentPlan.from(.table(schedule)), resultsPath)
  }

  /// The record as a Markdown table of one row: scenario, method (with its options), every metric
  /// (one run, so values without a spread) and the unlearning time.
  public static func table(_ record: RunRecord) -> String {
    let table = ResultTable(records: [record])
    let header = ["scenario", "method"] + table.metricNames.map(ResultTable.title) + ["T_unlearn (s)"]
    var cells = [record.identity.scenario.canonical, record.identity.method.canonical]
    // Small quantities (distances, AUCs) keep four decimals, as in reports.
    cells += table.metricNames.map { name in
      record.metrics[name].map { Summary.fixed($0, abs($0) < 1 ? 4 : 2) } ?? "–"
    }
    cells.append(Summary.fixed(record.timings.unlearnSeconds, 2))
    return "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n| "
      + cells.joined(separator: " | ") + " |\n"
  }
}
