import Experiments

/// What `lethe.experiment.run` does with the schedules a script gives it, as the command line
/// set it: run them (the whole sweep, or the share `selection` names), or only plan them
/// (`lethe plan`, `status`, `submit`, `merge` run the script in this mode: the sweeps are
/// recorded and nothing trains). Reached through `LuaContext.sweep`.
public final class SweepControl {
  /// Run or plan.
  public enum Mode: Sendable {
    /// Run the schedule (or the selected share of it).
    case execute
    /// Record each sweep's `SweepPlan` and return at once.
    case plan
  }

  /// Run or plan.
  public var mode = Mode.execute
  /// The share of each sweep this process runs.
  public var selection = SweepSelection()
  /// The sweeps planned (mode plan) or run, in the order the script gave them.
  public private(set) var sweeps: [ExperimentPlan] = []
  /// Each sweep's plan (mode plan).
  public private(set) var plans: [SweepPlan] = []
  /// Requested identifiers that named something in some sweep.
  public private(set) var matched = Set<String>()
  /// Models that failed to train (stage models), with their reasons.
  public private(set) var modelFailures: [String] = []

  /// A control that runs everything.
  public init() {}

  /// Records a planned sweep.
  func record(_ plan: SweepPlan) {
    sweeps.append(plan.plan)
    plans.append(plan)
  }

  /// Records what running `plan` did.
  func record(_ plan: ExperimentPlan, _ outcome: Experiment.Outcome) {
    sweeps.append(plan)
    matched.formUnion(outcome.matched)
    modelFailures += outcome.modelFailures
  }
}
