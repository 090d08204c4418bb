import CLua
import Experiments

/// `lethe.survey`: the survey's unified experiment as a schedule (`scripts/lua/survey.lua`), so
/// that `lethe plan | submit | status | merge` and `lethe run --shard` work on it as on any
/// schedule. `lethe survey` is the same from the command line.
enum SurveyLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "survey", doc: "The survey's unified experiment: profiles smoke, laptop and full, and the report like the paper's.",
      example: "lethe.survey.run(\"smoke\", \"results/survey-smoke\")")
    r.function("survey", "run", "run(profile [, out]) -> {completed, skipped, failed, report}",
      "Runs the profile (smoke, laptop, full) into out (default results/survey-PROFILE), resuming; writes "
        + "out/report/survey.md. Planning commands (lethe plan/submit) record its sweeps instead.") { call in
      let profile = try SurveyProfile.named(try call.string(1))
      let out = try call.string(2, default: nil) ?? "results/survey-\(profile.rawValue)"
      let context = call.context
      let outcome = try SurveyRun.run(
        profile: profile, directory: out, estimateOnly: false, control: context.sweep, quiet: context.quiet,
        write: { context.write($0 + "\n") })
      lua_createtable(call.L, 0, 4)
      call.setField("completed") { call.push(outcome?.summary.completed ?? 0) }
      call.setField("skipped") { call.push(outcome?.summary.skipped ?? 0) }
      call.setField("failed") { call.push(outcome?.summary.failed ?? 0) }
      if outcome?.report != nil { call.setField("report") { call.push(out + "/report") } }
      return 1
    }
  }
}
