import Core
import Methods

/// Runs an `ExperimentPlan` end to end: checks every name, sweeps the schedule through a
/// `RunPipeline` (resuming from the results file), then writes the report — or, given a
/// `SweepSelection`, one share of it: some runs, recorded in a part file of their own, or the
/// models (M0, M_retrain) some runs need.
public enum Experiment {
  /// What a sweep produced.
  public struct Outcome {
    /// Counts of completed, skipped and failed runs.
    public var summary: ExperimentRunner.Summary
    /// The report, when the plan asked for one (whole sweeps only).
    public var report: ReportWriter.Output?
    /// Part files folded into the results file before the sweep (whole sweeps only).
    public var merged: ResultsLedger.MergeOutcome?
    /// Models trained or found cached (stage models).
    public var modelsReady = 0
    /// Models that could not be trained, with the reason (stage models).
    public var modelFailures: [String] = []
    /// The requested identifiers (`SweepSelection.ids`) that name something in this sweep.
    public var matched: Set<String> = []
  }

  /// Runs `plan`, or the share `selection` names. Unknown dataset, model, scenario, method or
  /// option names fail before anything trains, with the valid names listed, and so do folders
  /// that cannot be written (`OutputFolders`). `threads` is
  /// recorded with every result. A whole sweep first merges the part files that tasks left
  /// (`ResultsLedger.merge`); a share appends to the part file `part` (default: one named after
  /// this process or Slurm task) and writes no report.
  public static func run(
    _ plan: ExperimentPlan, catalog: ExperimentCatalog, registry: MethodRegistry = .shared, threads: Int,
    selection: SweepSelection = SweepSelection(), part: String? = nil,
    log: @escaping (String) -> Void = { print($0) }, shouldStop: @escaping @Sendable () -> Bool = { false }
  ) throws -> Outcome {
    try catalog.validate(plan.schedule)
    var outcome = Outcome(summary: ExperimentRunner.Summary())
    func pipeline() throws -> RunPipeline {
      try OutputFolders.check(plan, report: selection.isWhole)
      return RunPipeline(
        catalog: catalog, registry: registry, cache: ModelCache.open(directory: plan.cacheDirectory),
        metrics: plan.metrics, scheduledMethods: plan.scheduledMethods ?? plan.schedule.methods.map(\.name), threads: threads, log: log,
        shouldStop: shouldStop)
    }
    if selection.isWhole {
      let pipeline = try pipeline()
      let ledger = ResultsLedger(resultsPath: plan.resultsPath)
      let merged = try ledger.merge()
      if !merged.parts.isEmpty {
        log("merged \(merged.merged) records from \(merged.parts.count) part files of \(ledger.partsDirectory)")
        outcome.merged = merged
      }
      outcome.summary = try sweep(try plan.schedule.runs(resolveMethod: registry.resolve), pipeline, ledger, threads, log)
      if let dir = plan.reportDirectory {
        outcome.report = try ReportWriter.write(resultsPath: plan.resultsPath, directory: dir)
        log("report written to \(dir)")
      }
      return outcome
    }
    let sweepPlan = try SweepPlan.make(plan, catalog: catalog, registry: registry)
    switch selection.stage {
    case .runs:
      let (chosen, matched) = try selection.pick(sweepPlan.runs, id: \.key, cost: \.cost)
      outcome.matched = matched
      guard !chosen.isEmpty else { return outcome }
      let ledger = ResultsLedger(resultsPath: plan.resultsPath, part: part ?? ResultsLedger.partName())
      log("\(chosen.count) of the sweep's \(sweepPlan.runs.count) runs; records go to \(ledger.partsDirectory)")
      outcome.summary = try sweep(chosen.map(\.identity), try pipeline(), ledger, threads, log)
    case .models:
      let (chosen, matched) = try selection.pick(sweepPlan.models, id: \.id, cost: \.cost)
      outcome.matched = matched
      guard !chosen.isEmpty else { return outcome }
      let pipeline = try pipeline()
      for (i, model) in chosen.enumerated() {
        log("[\(i + 1)/\(chosen.count)] \(model.id): \(model.summary)")
        do {
          try pipeline.prepareModel(model.kind, for: model.run)
          outcome.modelsReady += 1
        } catch {
          if error is TrainingInterrupted { throw error }
          outcome.modelFailures.append("\(model.id) (\(model.summary)): \(FileError.describe(error))")
          log("\(model.id): FAILED: \(FileError.describe(error))")
        }
      }
      log("models done: \(outcome.modelsReady) ready, \(outcome.modelFailures.count) failed")
    }
    return outcome
  }

  private static func sweep(
    _ runs: [RunIdentity], _ pipeline: RunPipeline, _ ledger: ResultsLedger, _ threads: Int,
    _ log: @escaping (String) -> Void
  ) throws -> ExperimentRunner.Summary {
    let runner = ExperimentRunner(executor: pipeline, ledger: ledger, threads: threads, progress: log)
    runner.isInterruption = { $0 is TrainingInterrupted }
    let summary = try runner.run(runs)
    var line = "sweep done: \(summary.completed) run, \(summary.skipped) already recorded, \(summary.failed) failed"
    if summary.elsewhere > 0 { line += ", \(summary.elsewhere) running in another process" }
    log(line)
    return summary
  }

}
