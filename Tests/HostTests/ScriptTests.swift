import Foundation
import XCTest

@testable import Host

/// Runs every `scripts/lua/tests/*.lua` (assertions inside) and every `scripts/lua/examples/*.lua`
/// (output compared with `X.expected` when present).
final class ScriptTests: XCTestCase {
  func scripts(in folder: String) throws -> [URL] {
    let dir = repositoryRoot.appendingPathComponent(folder)
    return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "lua" }.sorted { $0.path < $1.path }
  }

  /// Runs `file` in a fresh state with `arguments`; returns its output.
  func run(_ file: URL, arguments: [String] = []) throws -> String {
    var output = ""
    let context = LuaContext(seed: 0)
    context.quiet = true
    context.write = { output += $0 }
    let vm = try LuaVM(scriptName: file.path, arguments: arguments, context: context)
    defer { vm.close() }
    try vm.runFile(file.path, arguments: arguments)
    return output
  }

  func testLuaTestScripts() throws {
    let files = try scripts(in: "scripts/lua/tests")
    XCTAssertFalse(files.isEmpty)
    for file in files {
      do { _ = try run(file) } catch { XCTFail("\(file.lastPathComponent): \(error)") }
    }
  }

  /// Arguments that make a benchmark example as small as it goes.
  static let smallest = ["scrub_epoch_speed.lua": ["1", "128", "600"], "train_loop_speed.lua": ["1"]]

  func testExamplesAndTheirOutput() throws {
    let files = try scripts(in: "scripts/lua/examples")
    XCTAssertFalse(files.isEmpty)
    for file in files {
      let output: String
      // The benchmarks run at their smallest size: here they only have to work (make bench times them).
      let arguments = Self.smallest[file.lastPathComponent] ?? []
      do { output = try run(file, arguments: arguments) } catch {
        XCTFail("\(file.lastPathComponent): \(error)")
        continue
      }
      let expected = file.deletingPathExtension().appendingPathExtension("expected")
      if let want = try? String(contentsOf: expected, encoding: .utf8) {
        XCTAssertEqual(
          output, want, "\(file.lastPathComponent) output differs from \(expected.lastPathComponent)")
      }
    }
  }
}
