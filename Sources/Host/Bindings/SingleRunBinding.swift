import CLua
import Core
import Experiments
import Methods

/// `lethe.experiment.try{...}`: one method once on one (dataset, model, training, scenario,
/// seed), reusing the cached M0 and M_retrain (Experiments' `SingleRun`; `lethe try` on the
/// command line).
enum SingleRunBinding {
  static func register(into r: inout LuaRegistry) {
    r.function(
      "experiment", "try",
      "try{method, dataset = 'fashion-mnist', model = 'cnn', training = {...}, scenario = {'sample', "
        + "fraction = 0.01}, seed = 0, cache = '.lethe-cache', results, metrics} -> record",
      "Runs one method once (always, even if recorded before) with M0 and M_retrain from the cache; returns its "
        + "record (metrics, timings, notes) with `table`, the metrics row as Markdown. results appends the record."
    ) { call in
      try call.table(1)
      let (plan, resultsPath) = try SingleRun.plan(from: try LuaConfigReader.tree(call.L, 1))
      let context = call.context
      let quiet = context.quiet
      let record = try SingleRun.run(
        plan, resultsPath: resultsPath, catalog: .standard(), threads: Runtime.threads,
        log: { line in if !quiet { context.write(line + "\n") } }, shouldStop: { LuaContext.interrupted })
      ExperimentLibrary.pushRecord(call, record)
      call.setField("table") { call.push(SingleRun.table(record)) }
      return 1
    }
  }
}
