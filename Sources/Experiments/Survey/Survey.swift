import Core
import Foundation
import Methods

/// Runs a survey profile (`lethe survey`, `lethe.survey.run`): its sweeps one after the other on
/// one results file and one model cache (finished runs, M0s and M_retrains are reused on a
/// rerun), then writes the report like the paper's (`SurveyReport`).
public enum Survey {
  /// What a survey run did.
  public struct Outcome {
    /// Completed, skipped and failed runs, summed over the sweeps.
    public var summary = ExperimentRunner.Summary()
    /// The report (whole runs only).
    public var report: SurveyReport.Output?
    /// Wall-clock seconds of the whole run.
    public var seconds = 0.0
  }

  /// Runs `plan` (or the share `selection` names, without a report), then writes the report.
  public static func run(
    _ plan: SurveyPlan, catalog: ExperimentCatalog, registry: MethodRegistry, threads: Int,
    selection: SweepSelection = SweepSelection(), log: @escaping (String) -> Void,
    shouldStop: @escaping @Sendable () -> Bool = { false },
    onSweep: (ExperimentPlan, Experiment.Outcome) -> Void = { _, _ in }
  ) throws -> Outcome {
    let clock = ContinuousClock()
    let start = clock.now
    var outcome = Outcome()
    for (i, sweep) in plan.sweeps.enumerated() {
      log("survey sweep \(i + 1)/\(plan.sweeps.count): \(describe(sweep))")
      let o = try Experiment.run(
        sweep, catalog: catalog, registry: registry, threads: threads, selection: selection, log: log,
        shouldStop: shouldStop)
      outcome.summary.completed += o.summary.completed
      outcome.summary.skipped += o.summary.skipped
      outcome.summary.failed += o.summary.failed
      outcome.summary.elsewhere += o.summary.elsewhere
      onSweep(sweep, o)
    }
    outcome.seconds = (clock.now - start).seconds
    if selection.isWhole {
      let records = try ResultsFile(path: plan.resultsPath).read().records
      outcome.report = try SurveyReport.write(
        plan, runSeconds: outcome.seconds,
        cost: try costLines(records: records, catalog: catalog, registry: registry, directory: plan.directory))
      log("survey report written to \(plan.reportDirectory)")
    }
    return outcome
  }

  /// What each profile costs with the rates and method shares measured in `records` (the
  /// project's measured rates where a model type did not run), per run type, for the report.
  public static func costLines(
    records: [RunRecord], catalog: ExperimentCatalog, registry: MethodRegistry, directory: String
  ) throws -> [String] {
    let costs = CostModel.measured.measuringRates(from: records).measuringShares(from: records)
    let measuredTypes = Set(records.filter { $0.work != nil && $0.timings.retrainSource != nil }.map(\.identity.model.name))
    var lines = [
      "Rates in core-seconds per training sample, measured from this run's M_retrain trainings for "
        + (measuredTypes.isEmpty ? "no model type" : measuredTypes.sorted().joined(separator: ", "))
        + " (the project's measured rates, docs/cluster.md, for the others); each method's cost as its measured "
        + "share of retraining (T_unlearn / T_retrain, the median of its runs), half an epoch for methods that "
        + "did not run.",
    ]
    for profile in [SurveyProfile.laptop, .full] {
      // Every dataset counts as present: the estimate is of the whole profile.
      let plan = try SurveyPlan.make(profile, directory: directory, registry: registry)
      let e = try estimate(plan, catalog: catalog, registry: registry, costs: costs)
      lines.append("`\(profile.rawValue)` profile: " + e.lines.joined(separator: "; "))
    }
    return lines
  }

  /// "mnist/cnn, fashion-mnist/cnn × 10 scenarios × 9 methods × 1 seed".
  static func describe(_ plan: ExperimentPlan) -> String {
    let s = plan.schedule
    let pairs = s.combinations.map { "\($0.dataset.name)/\($0.model.name)" }.joined(separator: ", ")
    return "\(pairs) × \(s.scenarios.count) scenarios × \(s.methods.count) methods × \(s.seeds.count) seeds"
  }

  /// What `plan` is expected to cost (`CostModel`; rates and method shares measured from the
  /// existing results when there are any).
  public static func estimate(
    _ plan: SurveyPlan, catalog: ExperimentCatalog, registry: MethodRegistry, costs: CostModel
  ) throws -> SurveyEstimate {
    var estimate = SurveyEstimate()
    var models = Set<String>()
    for sweep in plan.sweeps {
      let p = try SweepPlan.make(sweep, catalog: catalog, registry: registry, costs: costs)
      for m in p.models where models.insert(m.id).inserted {
        estimate.add(type: m.run.model.name, models: 1, modelSeconds: m.cost)
      }
      for r in p.runs { estimate.add(type: r.identity.model.name, runs: 1, runSeconds: r.cost) }
    }
    return estimate
  }
}

/// A survey profile's expected cost, per run type (model type).
public struct SurveyEstimate: Sendable, Equatable {
  /// One run type's share.
  public struct Part: Sendable, Equatable {
    /// Models (M0s and M_retrains) to train.
    public var models = 0
    /// Their core-seconds.
    public var modelSeconds = 0.0
    /// Method runs.
    public var runs = 0
    /// Their core-seconds.
    public var runSeconds = 0.0
    /// Everything.
    public var total: Double { modelSeconds + runSeconds }
  }

  /// By model type (`cnn`, `resnet18`, `mlp`).
  public var parts: [String: Part] = [:]

  /// Core-seconds of everything.
  public var coreSeconds: Double { parts.values.reduce(0) { $0 + $1.total } }

  mutating func add(type: String, models: Int = 0, modelSeconds: Double = 0, runs: Int = 0, runSeconds: Double = 0) {
    var p = parts[type] ?? Part()
    p.models += models
    p.modelSeconds += modelSeconds
    p.runs += runs
    p.runSeconds += runSeconds
    parts[type] = p
  }

  /// Wall-clock seconds on `threads` threads, if they scaled perfectly (they do not quite: the
  /// measured rates are CPU time of one thread).
  public func wallSeconds(threads: Int) -> Double { coreSeconds / Double(max(threads, 1)) }

  /// One line per run type and a total, in core-hours.
  public var lines: [String] {
    var out: [String] = []
    for (type, p) in parts.sorted(by: { $0.key < $1.key }) {
      out.append(
        "\(type): \(p.models) models \(hours(p.modelSeconds)), \(p.runs) runs \(hours(p.runSeconds)), "
          + "total \(hours(p.total))")
    }
    out.append("all: \(hours(coreSeconds))")
    return out
  }

  /// "12.3 core-h" (or core-minutes below an hour).
  public static func hoursText(_ seconds: Double) -> String {
    seconds >= 3600
      ? String(format: "%.1f core-h", seconds / 3600)
      : seconds >= 60 ? String(format: "%.1f core-min", seconds / 60) : String(format: "%.1f core-s", seconds)
  }

  private func hours(_ s: Double) -> String { Self.hoursText(s) }
}
