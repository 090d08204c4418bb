import CLua
import Core
import Foundation
import Core

/// `lethe` itself: help, version, seeding, output, and the placeholder modules other libraries
/// fill (`lethe.methods`, `lethe.experiment`, `lethe.report`).
enum BaseLibrary: LuaLibrary {
  /// Lethe's version, as `lethe version` prints it (the one in Core).
  static let version = LetheVersion.current

  static func register(into r: inout LuaRegistry) {
    r.module(
      "", doc: "The Lethe API: tensors, models, data, metrics, methods and experiments.",
      example: "local lethe = require \"lethe\"\nlethe.help(lethe.tensor)")
    r.function("", "version", "version() -> string", "Lethe's version.") { call in
      call.push(version)
      return 1
    }
    r.function("", "seed", "seed(n)", "Restarts the random generator behind seeded functions at n.") {
      call in
      let n = try call.integer(1)
      guard n >= 0 else { throw LuaError.argument(index: 1, message: "seed must be non-negative") }
      call.context.reseed(UInt64(n))
      return 0
    }
    r.function(
      "", "interrupted", "interrupted() -> boolean",
      "Whether Ctrl-C was pressed during the current command (loops may poll it)."
    ) { call in
      call.push(LuaContext.interrupted)
      return 1
    }
    r.function(
      "", "threads", "threads([n]) -> integer",
      "The number of threads tensor kernels use; sets it when n is given (like --threads)."
    ) { call in
      if !call.isNil(1) {
        let n = try call.integer(1)
        guard n >= 1 else { throw LuaError.argument(index: 1, message: "at least 1 thread expected") }
        Runtime.threads = n
      }
      call.push(Runtime.threads)
      return 1
    }
    r.function("", "write", "write(s)", "Writes string s to the REPL's or script's output.") { call in
      call.context.write(try call.string(1))
      return 0
    }
    r.function("", "clock", "clock() -> seconds", "Monotonic wall-clock time in seconds.") { call in
      call.push(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
      return 1
    }
    for (field, doc) in [
      ("methods", "Unlearning methods: the registry shared by Swift and Lua methods."),
      ("experiment", "Experiment schedules and the resumable runner."),
      ("report", "Reports over results files (tables and charts)."),
    ] {
      r.module(field, doc: doc, example: "lethe.help(lethe.\(field))")
    }
    r.prelude("base", PackageResources.base_lua)
    r.prelude("completion", PackageResources.completion_lua)
  }
}
