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

  /// Runs `file` in a fresh state; returns its output.
  func run(_ file: URL) throws -> String {
    var output = ""
    let context = LuaContext(seed: 0)
    context.quiet = true
    context.write = { output += $0 }
    let vm = try LuaVM(scriptName: file.path, context: context)
    defer { vm.close() }
    try vm.runFile(file.path)
    return output
  }

  func testLuaTestScripts() throws {
    let files = try scripts(in: "scripts/lua/tests")
    XCTAssertFalse(files.isEmpty)
    for file in files {
      do { _ = try run(file) } catch { XCTFail("\(file.lastPathComponent): \(error)") }
    }
  }

  func testExamplesAndTheirOutput() throws {
    let files = try scripts(in: "scripts/lua/examples")
    XCTAssertFalse(files.isEmpty)
    for file in files {
      let output: String
      do { output = try run(file) } catch {
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
