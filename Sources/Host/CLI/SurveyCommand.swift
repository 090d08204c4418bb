import ArgumentParser

import Experiments
import enum Core.Runtime
import Foundation


/// `lethe survey --profile smoke|laptop|full [--out DIR] [--estimate]`: the survey's unified
/// experiment in one command (see `SurveyProfile`), resumable, with the report like the paper's.
struct SurveyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "survey",
    abstract: "Run the survey's unified experiment (profiles smoke, laptop, full) and write its report.",
    discussion: """
      Runs every registered survey method on the survey's dataset–model pairs and scenarios, then writes \
      OUT/report/survey.md (Tables 13–15, Figures 2–3, findings, verdicts) beside the general report. \
      Rerunning resumes: finished runs, M0s and M_retrains are reused. For a cluster, plan and submit \
      scripts/lua/survey.lua instead (lethe submit scripts/lua/survey.lua --slurm -- full OUT).
      """)

  @OptionGroup var global: GlobalOptions

  @Option(name: .long, help: "smoke (synthetic, minutes), laptop (real MNIST/Fashion-MNIST/CIFAR-10, ≤ 2 h on 2 cores) or full.")
  var profile: String

  @Option(name: .long, help: "Output folder (default results/survey-PROFILE): results.jsonl, cache/, report/.")
  var out: String?

  @Flag(name: .long, help: "Print the plan and its expected cost, run nothing.")
  var estimate = false

  func validate() throws {
    guard SurveyProfile(rawValue: profile) != nil else {
      throw ValidationError(
        "unknown profile '\(profile)'; valid profiles: " + SurveyProfile.allCases.map(\.rawValue).joined(separator: ", "))
    }
  }

  func run() throws {
    let context = global.makeContext()
    // The Lua state loads the method scripts into the registry; it stays open while they run.
    let vm = try LuaVM(scriptName: "survey", context: context)
    defer { vm.close() }
    let outcome = try SurveyRun.run(
      profile: try SurveyProfile.named(profile), directory: out ?? "results/survey-\(profile)", estimateOnly: estimate,
      control: nil, quiet: global.quiet, write: { print($0) })
    if let files = outcome?.report?.files {
      print("report files:")
      for f in files { print("  \(f)") }
    }
  }
}

/// What `lethe survey` and `lethe.survey.run` share: lay the profile out, print it with its
/// expected cost, run it (or, planning, record its sweeps), print the verdicts.
enum SurveyRun {
  /// The threads the kernels use.
  static var threads: Int { Runtime.threads }

  /// Runs the profile; nil when only estimating or planning. `control` (a schedule script's) may
  /// ask to plan only or to run one share.
  static func run(
    profile: SurveyProfile, directory: String, estimateOnly: Bool, control: SweepControl?, quiet: Bool,
    write: @escaping (String) -> Void
  ) throws -> Survey.Outcome? {
    // An estimate is of the whole profile (a cluster has the datasets this machine lacks).
    let plan = try SurveyPlan.make(
      profile, directory: directory, registry: .shared, absent: estimateOnly ? [:] : SurveyPlan.absentDatasets())
    if let control, control.mode == .plan {
      for sweep in plan.sweeps {
        control.record(try SweepPlan.make(sweep, catalog: .standard(), registry: .shared))
      }
      return nil
    }
    for line in plan.summaryLines { write(line) }
    let existing = (try? ResultsFile(path: plan.resultsPath).read().records) ?? []
    let costs = CostModel.measured.measuringRates(from: existing).measuringShares(from: existing)
    let e = try Survey.estimate(plan, catalog: .standard(), registry: .shared, costs: costs)
    for line in e.lines { write("expected: \(line)") }
    write(String(format: "expected wall-clock on %d threads if they scaled perfectly: %.2f h", threads,
      e.wallSeconds(threads: threads) / 3600))
    if estimateOnly { return nil }
    let outcome = try Survey.run(
      plan, catalog: .standard(), registry: .shared, threads: threads, selection: control?.selection ?? SweepSelection(),
      log: { line in if !quiet { write(line) } }, shouldStop: { LuaContext.interrupted },
      onSweep: { control?.record($0, $1) })
    write(
      "survey done in \(String(format: "%.1f", outcome.seconds / 60)) min: \(outcome.summary.completed) runs, "
        + "\(outcome.summary.skipped) already recorded, \(outcome.summary.failed) failed")
    if let report = outcome.report {
      write("\nTable 13 (ratings)\n" + report.ratings)
      write("Verdicts\n" + report.verdicts)
    }
    return outcome
  }
}
