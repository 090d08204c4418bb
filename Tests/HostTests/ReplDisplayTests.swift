import Foundation
import XCTest

@testable import Host

/// The REPL shows plain tables by their contents, accepts `lethe.method{...}` as an expression,
/// and Ctrl-C at a continuation prompt drops the pending chunk.
final class ReplDisplayTests: XCTestCase {
  /// Lines to feed, with nil standing for Ctrl-C at that prompt.
  final class ScriptedReader: LineReader {
    var lines: [String?]
    var prompts: [String] = []
    private var interrupted = false
    init(_ lines: [String?]) { self.lines = lines }
    func readLine(prompt: String) -> String? {
      prompts.append(prompt)
      guard !lines.isEmpty else { return nil }
      let line = lines.removeFirst()
      interrupted = line == nil
      return line
    }
    func remember(_ statement: String) {}
    func takeInterrupt() -> Bool {
      defer { interrupted = false }
      return interrupted
    }
  }

  func run(_ lines: [String?]) throws -> (output: String, errors: String, prompts: [String]) {
    let context = LuaContext()
    var output = "", errors = ""
    context.write = { output += $0 }
    let vm = try LuaVM(scriptName: "lethe", context: context)
    defer { vm.close() }
    let reader = ScriptedReader(lines)
    Repl(vm: vm, reader: reader) { errors += $0 }.run()
    return (output, errors, reader.prompts)
  }

  func testPlainTablesPrintTheirContents() throws {
    let (out, err, _) = try run([
      "{128, 9216}", "lethe.tensor.zeros(2, 3):shape()", "{name = 'x', shape = {2, 3}, nested = {a = {b = {c = {d = 1}}}}}",
      "{}", "{1, 2, k = true}", "local t = {}; t.self = t; return t", "'plain'", "{'a', \"b\"}",
    ])
    XCTAssertEqual(err, "")
    XCTAssertEqual(
      out.split(separator: "\n").map(String.init),
      [
        "[128, 9216]", "[2, 3]", "{name = \"x\", nested = {a = {b = {c = {…}}}}, shape = [2, 3]}", "{}",
        "{1, 2, k = true}", "{self = <cycle>}", "plain", "[\"a\", \"b\"]",
      ])
  }

  func testLongTablesAreCutShort() throws {
    let (out, _, _) = try run(["local t = {} for i = 1, 100 do t[i] = i end return t"])
    XCTAssertTrue(out.hasPrefix("[1, 2, 3,"), out)
    XCTAssertTrue(out.contains("40, … (100 entries)]"), out)
  }

  func testMethodDefinitionAsAnExpression() throws {
    let (out, err, _) = try run(["lethe.method{name = 'repl_expression_probe', unlearn = function(ctx) end}"])
    XCTAssertEqual(err, "")
    XCTAssertEqual(out, "repl_expression_probe\n")
  }

  func testCtrlCAtAContinuationPromptDropsThePendingChunk() throws {
    let (out, err, prompts) = try run(["x =", nil, "7", "x", nil, "y = 1", "y"])
    XCTAssertEqual(err, "")
    XCTAssertEqual(out, "7\nnil\n1\n", "x = 7 must not run; 7 and x are statements of their own")
    XCTAssertEqual(prompts, ["> ", ">> ", "> ", "> ", "> ", "> ", "> ", "> "])
  }
}
