import Foundation
import XCTest

/// The `lethe` executable end to end: exit codes, one-line load errors, `arg`, a piped REPL.
/// Skipped when the executable has not been built next to the tests (`swift build --build-tests`
/// builds it).
final class CommandLineTests: XCTestCase {
  var lethe: URL!

  override func setUpWithError() throws {
    lethe = URL(fileURLWithPath: try ChildProcess.lethe())
  }

  /// Runs lethe with `arguments` and `input` on standard input; returns (status, stdout, stderr).
  func run(_ arguments: [String], input: String = "", in directory: URL? = nil) throws -> (Int32, String, String) {
    try runLethe(lethe, arguments, input: input, directory: directory?.path)
  }

  func script(_ source: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-cli-\(UUID()).lua").path
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func testRunPassesArgumentsAndSucceeds() throws {
    let path = try script("print(#arg, arg[1], arg[2], select('#', ...))")
    let (status, out, _) = try run(["run", path, "a", "--b"])
    XCTAssertEqual(status, 0)
    XCTAssertEqual(out, "2\ta\t--b\t2\n")
  }

  /// The prelude is compiled into the executable: it runs from any working directory.
  func testThePreludeRunsFromAnyDirectory() throws {
    let path = try script(
      """
      local m = lethe.nn.mlp{input = {2}, classes = 2, hidden = 3}
      local names = {}
      for name in m:named_parameters() do names[#names + 1] = name end
      print(lethe.tensor({1, 2}):sum():item(), #names, tostring(lethe.nn):match("^lethe.nn"), type(lethe._complete))
      print(lethe.doc(lethe.tensor.zeros):match("^lethe.tensor.zeros"))
      """)
    let (status, out, err) = try run(["run", path], in: URL(fileURLWithPath: "/"))
    XCTAssertEqual(status, 0, err)
    XCTAssertEqual(out, "3.0\t4\tlethe.nn\tfunction\nlethe.tensor.zeros\n")
  }

  func testLoadErrorsAreOneLine() throws {
    let (s1, _, e1) = try run(["run", "/nonexistent/x.lua"])
    XCTAssertEqual(s1, 1)
    XCTAssertEqual(e1, "lethe: cannot open /nonexistent/x.lua: No such file or directory\n")
    let path = try script("local x = \n\n= 2")
    let (s2, _, e2) = try run(["run", path])
    XCTAssertEqual(s2, 1)
    XCTAssertEqual(e2, "lethe: \(path):3: unexpected symbol near '='\n")
  }

  func testRuntimeErrorsExitOneWithATraceback() throws {
    let path = try script("local function f() error('broken') end\nf()")
    let (status, _, err) = try run(["run", path])
    XCTAssertEqual(status, 1)
    XCTAssertTrue(err.hasPrefix("lethe: \(path):1: broken\nstack traceback:"), err)
  }

  func testUsageErrorsExitTwo() throws {
    XCTAssertEqual(try run(["frobnicate"]).0, 2)
    XCTAssertEqual(try run(["run"]).0, 2)
    XCTAssertEqual(try run(["run", "--threads", "0", "x.lua"]).0, 2)
    let (status, out, _) = try run(["run", "--help"])
    XCTAssertEqual(status, 0)
    XCTAssertTrue(out.contains("USAGE: lethe run"), out)
    XCTAssertEqual(try run(["version"]).0, 0)
  }

  func testReplThroughAPipe() throws {
    let (status, out, err) = try run(["repl"], input: "x = 20\nx + 1\nnope()\n_ * 2\n")
    XCTAssertEqual(status, 0)
    XCTAssertEqual(out, "21\n42\n")
    XCTAssertTrue(err.contains("attempt to call a nil value (global 'nope')"), err)
  }

  func testSeedOptionSeedsScripts() throws {
    let path = try script("print(lethe.tensor.rand(1):item())")
    let a = try run(["run", "--seed", "5", path]).1
    XCTAssertEqual(a, try run(["run", "--seed", "5", path]).1)
    XCTAssertNotEqual(a, try run(["run", "--seed", "6", path]).1)
  }
}

extension CommandLineTests {
  func testDataListsTheCatalogue() throws {
    let (status, out, _) = try run(["data"])
    XCTAssertEqual(status, 0)
    XCTAssertTrue(out.contains("fashion-mnist"), out)
    XCTAssertTrue(out.contains("search path:"), out)
  }
}
