import ArgumentParser
import Experiments

/// Runs a schedule script in planning mode (`SweepControl.Mode.plan`): every
/// `lethe.experiment.run{...}` records its sweep and returns at once, nothing trains, and the
/// script's own printing is dropped. What `lethe plan`, `status`, `submit` and `merge` read.
///
/// The rest of the script does run, so a schedule should do little besides calling
/// `lethe.experiment.run` (printing its outcome is fine: planning returns the same fields).
enum ScheduleLoader {
  /// The sweeps of the script at `file` given `arguments`; an error when it calls
  /// `lethe.experiment.run` nowhere.
  static func plans(_ file: String, arguments: [String], global: GlobalOptions) throws -> [SweepPlan] {
    let context = global.makeContext()
    context.quiet = true
    context.write = { _ in }
    context.sweep.mode = .plan
    try runScript(file, arguments: arguments, context: context)
    guard !context.sweep.plans.isEmpty else {
      throw ScriptFailure(message: "lethe: \(file) never called lethe.experiment.run: it is not a schedule")
    }
    return context.sweep.plans
  }

  /// Runs the script at `file` in a fresh state with `context`; a Lua error becomes a
  /// `ScriptFailure` (exit code 1) with its message and traceback.
  static func runScript(_ file: String, arguments: [String], context: LuaContext) throws {
    let vm = try LuaVM(scriptName: file, arguments: arguments, context: context)
    defer { vm.close() }
    do {
      try vm.runFile(file, arguments: arguments)
    } catch let error as LuaError {
      throw ScriptFailure(message: "lethe: \(error)")
    }
  }
}

/// The schedule argument and the script's own arguments (after `--`) of the sweep commands.
struct ScheduleArguments: ParsableArguments {
  @Argument(help: "The schedule: a Lua script that calls lethe.experiment.run{...}.")
  var schedule: String

  @Argument(parsing: .postTerminator, help: "Arguments for the script (after --), as `lethe run` passes them.")
  var scriptArguments: [String] = []
}
