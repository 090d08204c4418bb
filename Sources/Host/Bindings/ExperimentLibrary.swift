import CLua
import Core
import Experiments
import Methods

/// `lethe.experiment`: runs a schedule (datasets × models × trainings × scenarios × methods ×
/// seeds), appending one JSON line per run to a results file that reruns resume from.
enum ExperimentLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "experiment", doc: "Schedules: train M0 and M_retrain once (cached), run every method, record every metric.",
      example: "lethe.experiment.run{datasets = {\"fashion-mnist\"}, models = {\"cnn\"}, "
        + "scenarios = {{\"sample\", fraction = 0.01}}, methods = {\"retrain\", \"neggrad\"}, seeds = {0}, "
        + "results = \"results/run.jsonl\", report = \"results/run\"}")
    r.function("experiment", "run",
      "run{datasets, models, training | trainings, scenarios, methods, seeds, metrics, results, cache, report} "
        + "-> {completed, skipped, failed, elsewhere, table, report}",
      "Runs the schedule (see docs/experiments.md); finished runs are skipped, failures recorded, Ctrl-C stops it.") {
      call in
      try call.table(1)
      let plan = try ExperimentPlan.from(try LuaConfigReader.tree(call.L, 1))
      let context = call.context
      let quiet = context.quiet
      let control = context.sweep
      let L = call.L
      if control.mode == .plan {
        // `lethe plan | status | submit | merge`: record the sweep, run nothing.
        let sweep = try SweepPlan.make(plan, catalog: .standard(), registry: .shared)
        control.record(sweep)
        lua_createtable(L, 0, 7)
        for field in ["completed", "skipped", "failed"] { call.setField(field) { call.push(0) } }
        call.setField("planned") { call.push(sweep.runs.count) }
        call.setField("results") { call.push(plan.resultsPath) }
        call.setField("table") { call.push("") }
        if let dir = plan.reportDirectory { call.setField("report") { call.push(dir) } }
        return 1
      }
      let outcome = try Experiment.run(
        plan, catalog: .standard(), registry: .shared, threads: Runtime.threads,
        selection: control.selection, log: { line in if !quiet { context.write(line + "\n") } },
        shouldStop: { LuaContext.interrupted })
      control.record(plan, outcome)
      lua_createtable(L, 0, 7)
      call.setField("completed") { call.push(outcome.summary.completed) }
      call.setField("skipped") { call.push(outcome.summary.skipped) }
      call.setField("failed") { call.push(outcome.summary.failed) }
      call.setField("elsewhere") { call.push(outcome.summary.elsewhere) }
      call.setField("results") { call.push(plan.resultsPath) }
      if !control.selection.isWhole {
        // A share: its records are in a part file; the table and report come with the merge.
        call.setField("table") { call.push("(one share of the sweep: `lethe merge` makes the table and report)") }
        if let dir = plan.reportDirectory { call.setField("report") { call.push(dir) } }
      } else if let report = outcome.report {
        call.setField("table") { call.push(report.mainTable) }
        call.setField("report") { call.push(plan.reportDirectory ?? "") }
      } else {
        let table = ResultTable(records: try ResultsFile(path: plan.resultsPath).read().records)
        call.setField("table") { call.push(MarkdownReport.mainTable(table)) }
      }
      return 1
    }
    registerResults(into: &r)
  }
}

/// `lethe.report`: tables and charts from a results file.
enum ReportLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "report", doc: "Reports from results files: Markdown and CSV tables (mean ± std over seeds), SVG charts.",
      example: "print(lethe.report.write(\"results/run.jsonl\", \"results/run-report\").table)")
    r.function("report", "write", "write(results [, dir]) -> {table, files = {...}, corrupt = {...}}",
      "Writes results.md, results.csv and one SVG per metric into dir (default: beside the results file).") {
      call in
      let results = try call.string(1)
      let dir = try call.string(2, default: nil) ?? ReportCommand.defaultDirectory(for: results)
      let out = try ReportWriter.write(resultsPath: results, directory: dir)
      lua_createtable(call.L, 0, 3)
      call.setField("table") { call.push(out.mainTable) }
      call.setField("files") { call.push(out.files) }
      call.setField("corrupt") { call.push(out.corrupt.map(\.description)) }
      return 1
    }
    r.function("report", "table", "table(results) -> string",
      "The main table (Markdown, mean ± std over seeds per method × scenario × metric) of a results file.") {
      call in
      let contents = try ResultsFile(path: try call.string(1)).read()
      call.push(MarkdownReport.mainTable(ResultTable(records: contents.records)))
      return 1
    }
  }
}

extension ExperimentLibrary {
  /// `lethe.experiment.results(path)`: the records of a results file as Lua tables.
  static func registerResults(into r: inout LuaRegistry) {
    r.function("experiment", "results",
      "results(path) -> {{key, status, error, dataset, model, scenario, method, seed, metrics = {...}, "
        + "timings = {...}, notes = {...}}, ...}",
      "The records of a results file (corrupt lines skipped), for analysis in Lua.") { call in
      let contents = try ResultsFile(path: try call.string(1)).read()
      let L = call.L
      lua_createtable(L, Int32(contents.records.count), 0)
      for (k, rec) in contents.records.enumerated() {
        lua_createtable(L, 0, 12)
        call.setField("key") { call.push(rec.key) }
        call.setField("status") { call.push(rec.status.rawValue) }
        if let e = rec.error { call.setField("error") { call.push(e) } }
        call.setField("dataset") { call.push(rec.identity.dataset.canonical) }
        call.setField("model") { call.push(rec.identity.model.canonical) }
        call.setField("training") { call.push(rec.identity.training.canonical) }
        call.setField("scenario") { call.push(rec.identity.scenario.canonical) }
        call.setField("method") { call.push(rec.identity.method.name) }
        call.setField("options") { call.push(NamedSpec("", rec.identity.method.options).canonical) }
        call.setField("seed") { call.push(Int(truncatingIfNeeded: rec.identity.seed)) }
        if let d = rec.scenarioDigest { call.setField("scenario_digest") { call.push(d) } }
        for (field, values) in [("metrics", rec.metrics),
          ("timings", ["train_s": rec.timings.trainSeconds, "prepare_s": rec.timings.prepareSeconds,
            "unlearn_s": rec.timings.unlearnSeconds, "retrain_s": rec.timings.retrainSeconds])]
        {
          lua_pushstring(L, field)
          lua_createtable(L, 0, Int32(values.count))
          for (name, v) in values { call.setField(name) { call.push(v) } }
          lua_rawset(L, -3)
        }
        lua_pushstring(L, "notes")
        lua_createtable(L, 0, Int32(rec.notes.count))
        for (name, v) in rec.notes { call.setField(name) { call.push(v) } }
        lua_rawset(L, -3)
        lua_rawseti(L, -2, lua_Integer(k + 1))
      }
      return 1
    }
  }
}
