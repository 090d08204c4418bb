import Foundation
import XCTest

@testable import Host

final class ReplTests: XCTestCase {
  /// Runs `transcript` through a pipe into a REPL; returns (output, errors).
  func session(_ transcript: String) throws -> (String, String) {
    let pipe = Pipe()
    pipe.fileHandleForWriting.write(Data(transcript.utf8))
    try pipe.fileHandleForWriting.close()
    let context = LuaContext()
    var output = ""
    var errors = ""
    context.write = { output += $0 }
    let vm = try LuaVM(scriptName: "lethe", context: context)
    defer { vm.close() }
    let repl = Repl(vm: vm, reader: PlainLineReader(handle: pipe.fileHandleForReading)) { errors += $0 }
    repl.run()
    return (output, errors)
  }

  func testExpressionsStatementsAndUnderscore() throws {
    let (out, err) = try session(
      """
      1 + 2
      x = 10
      x * 2
      _ + 1
      'a', 'b'
      print('hi')
      lethe.tensor.ones(2)
      =x
      """)
    XCTAssertEqual(err, "")
    XCTAssertEqual(out, "3\n20\n21\na\tb\nhi\ntensor([1, 1], shape {2})\n10\n")
  }

  func testContinuationLines() throws {
    let (out, err) = try session(
      """
      function f(a)
        return a * 2
      end
      f(21)
      t = {
      1,
      2}
      #t
      """)
    XCTAssertEqual(err, "")
    XCTAssertEqual(out, "42\n2\n")
  }

  func testErrorsPrintAndTheSessionGoesOn() throws {
    let (out, err) = try session(
      """
      a = lethe.tensor.ones(2, 3)
      a:matmul(lethe.tensor.ones(2, 3))
      nosuch()
      lethe.tensor.matmul(a, nil)
      a:shape()[2]
      for i = 1,
      """)
    XCTAssertEqual(out, "3\n")
    let lines = err.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines.contains { $0.hasPrefix("stdin:1: ") && $0.contains("shape") }, err)
    XCTAssertTrue(lines.contains("stdin:1: attempt to call a nil value (global 'nosuch')"), err)
    XCTAssertTrue(
      lines.contains("stdin:1: bad argument #2 to 'matmul' (lethe.Tensor expected, got nil)"), err)
    XCTAssertTrue(err.contains("stack traceback:"), err)
    // The incomplete `for` at the end of input is reported, not run.
    XCTAssertTrue(err.contains("<eof>"), err)
  }

  /// A metatable on `_G` that raises must not raise into Swift: the REPL reads and writes
  /// globals (`tostring`, `_`) with raw accesses.
  func testStrictGlobalsDoNotBreakTheSession() throws {
    let (out, err) = try session("""
      setmetatable(_G, {__index = function(_, k) error('strict: ' .. k) end, \
      __newindex = function(_, k) error('no new globals: ' .. k) end}) ~= nil
      1 + 1
      y = 1
      """)
    XCTAssertEqual(out, "true\n2\n")
    XCTAssertTrue(err.contains("no new globals: y"), err)
  }

  func testCompletion() throws {
    let vm = try LuaVM()
    defer { vm.close() }
    let repl = Repl(vm: vm, reader: PlainLineReader(handle: FileHandle(forReadingAtPath: "/dev/null")!))
    XCTAssertEqual(repl.complete("lethe.te"), ["lethe.tensor"])
    XCTAssertTrue(repl.complete("lethe.tensor.ma").contains("lethe.tensor.matmul"))
    XCTAssertTrue(repl.complete("pri").contains("print"))
    try vm.run("m = lethe.nn.Linear(2, 2)")
    XCTAssertTrue(repl.complete("m:para").contains("m:parameters"))
  }
}
