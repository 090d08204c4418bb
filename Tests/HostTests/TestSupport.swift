import Foundation
import TestSupport

@testable import Host

/// A Lua state whose `print` output is captured.
final class CapturedVM {
  let vm: LuaVM
  private(set) var output = ""

  init() throws {
    let context = LuaContext(seed: 0)
    vm = try LuaVM(scriptName: "test", context: context)
    context.write = { [unowned self] in self.output += $0 }
  }

  /// Runs `source`; returns the error message, or nil when it succeeded.
  func error(of source: String) -> String? {
    do {
      try vm.run(source, name: "=test")
      return nil
    } catch {
      return "\(error)"
    }
  }

  /// The first line of the error of `source` (without the traceback).
  func errorLine(of source: String) -> String? {
    error(of: source).map { String($0.split(separator: "\n").first ?? "") }
  }
}

/// The repository root (for scripts and docs).
let repositoryRoot = TestFixtures.repositoryRoot
