import Foundation
import XCTest

@testable import Host

final class ReplTests: XCTestCase {
  /// Runs `transcript` through a pipe into a REPL; returns (output, errors).
  func session(_ transcript: String) throws -> (String, String) { try replSession(transcript) }

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

  /// Bad shapes, positions, options, labels and files: every line fails with a message and the
  /// session (and process) survives to the last line.
  func testUserMistakesNeverEndTheSession() throws {
    let (out, err) = try session(
      """
      t = lethe.tensor.ones(2, 3)
      t:reshape(1e18, 1e18)
      t:reshape(-1, -1)
      t:permute(1, 1)
      t:slice(1, 2, 1)
      t:index_select(1, {5})
      t:sum(0)
      t:get(1)
      t:set(1, 1)
      t:pow("x")
      lethe.tensor.cat({})
      lethe.tensor.new({})
      lethe.tensor.new({{}})
      lethe.nn.Linear(0, 3)
      lethe.nn.Linear(-1, 3)
      lethe.nn.Conv2d(1, 1, 0)
      lethe.nn.mlp{input = {0}, classes = 2}
      lethe.nn.cnn{input = {1, 2, 2}, classes = 2}
      lethe.nn.Linear(2, 2)(lethe.tensor.ones(3, 5))
      lethe.nn.cross_entropy(lethe.tensor.ones(2, 3), {0, 7})
      lethe.nn.cross_entropy(lethe.tensor.ones(2, 3), {0})
      lethe.data.from_tensors(lethe.tensor.ones(2, 3), {0, -1})
      lethe.data.from_tensors(lethe.tensor.ones(2, 3), {0, 1}):batches(0)
      lethe.optim.sgd({}, {lr = 1})
      lethe.tensor.ones(2):backward()
      lethe.tensor.new({1,2}, {requires_grad = true}):backward()
      lethe.nn.MaxPool2d(0)
      lethe.tensor.ones(2,2):softmax(5)
      lethe.tensor.ones(3):matmul(lethe.tensor.ones(3))
      lethe.nn.Linear(2,2):load_state_dict({["weight"] = lethe.tensor.ones(5)})
      lethe.nn.Sequential{}
      lethe.nn.Sequential{}(lethe.tensor.ones(1))
      lethe.tensor.ones(2,2)[{2,1}]
      lethe.tensor.ones(2,2):transpose(1, 5)
      lethe.tensor.ones(0):max()
      lethe.tensor.ones(0):mean()
      lethe.tensor.ones(2,0):argmax(2)
      lethe.nn.distance(lethe.nn.Linear(2,2), lethe.nn.Linear(3,2))
      lethe.nn.Linear(2,2):get("zz")
      d2 = lethe.data.from_tensors(lethe.tensor.ones(2, 3), {0, 1})
      lethe.data.scenario(d2, d2, {kind = "sample", fraction = 2})
      lethe.tensor.ones(2, 2):view(4):flatten(3)
      print("survived")
      """)
    XCTAssertTrue(out.hasSuffix("survived\n"), out)
    XCTAssertGreaterThanOrEqual(err.components(separatedBy: "stack traceback:").count - 1, 35, err)
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
