import Methods

/// Runs an `ExperimentPlan` end to end: checks every name, sweeps the schedule through a
/// `RunPipeline` (resuming from the results file), then writes the report.
public enum Experiment {
  /// What a sweep produced.
  public struct Outcome {
    /// Counts of completed, skipped and failed runs.
    public var summary: ExperimentRunner.Summary
    /// The report, when the plan asked for one.
    public var report: ReportWriter.Output?
  }

  /// Runs `plan`. Unknown dataset, model, scenario, method or option names fail before anything
  /// trains, with the valid names listed, and so do folders that cannot be written
  /// (`OutputFolders`). `threads` is recorded with every result.
  public static func run(
    _ plan: ExperimentPlan, catalog: ExperimentCatalog, registry: MethodRegistry = .shared, threads: Int,
    log: @escaping (String) -> Void = { print($0) }, shouldStop: @escaping @Sendable () -> Bool = { false }
  ) throws -> Outcome {
    try catalog.validate(plan.schedule)
    let runs = try plan.schedule.runs(resolveMethod: registry.resolve)
    try OutputFolders.check(plan)
    let pipeline = RunPipeline(
      catalog: catalog, registry: registry, cache: ModelCache(directory: plan.cacheDirectory),
      metrics: plan.metrics, scheduledMethods: plan.schedule.methods.map(\.name), log: log,
      shouldStop: shouldStop)
    let runner = ExperimentRunner(
      executor: pipeline, results: ResultsFile(path: plan.resultsPath), threads: threads, progress: log)
    runner.isInterruption = { $0 is TrainingInterrupted }
    let summary = try runner.run(runs)
    log("sweep done: \(summary.completed) run, \(summary.skipped) already recorded, \(summary.failed) failed")
    var report: ReportWriter.Output?
    if let dir = plan.reportDirectory {
      report = try ReportWriter.write(resultsPath: plan.resultsPath, directory: dir)
      log("report written to \(dir)")
    }
    return Outcome(summary: summary, report: report)
  }
}
