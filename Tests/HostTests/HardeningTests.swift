import Core
import Foundation
import XCTest

@testable import Host

/// Issue 17's reproductions that need no executable: the Lua stack, allocation limits caught by
/// `pcall`, text chunks only, axes numbered from 1 in every message, errors instead of silent
/// empty results, and the unlearning context's integer arguments.
final class HardeningTests: XCTestCase {
  /// A Lua expression for a tensor shape just over the process's memory limit.
  var overLimit: String { "\(MemoryLimit.current.bytes / 4 / 4096 + 1), 4096" }

  func testAllocationsOverTheLimitAreErrorsPcallCatches() throws {
    try XCTSkipIf(
      (MemoryLimit.current.bytes / 4 / 4096 + 1) * 4096 > Tensor.maxElementCount, "more memory than a tensor may hold")
    let lua = try CapturedVM()
    for expression in [
      "lethe.tensor.zeros(\(overLimit))", "lethe.tensor.ones({\(overLimit)})", "lethe.tensor.rand(\(overLimit))",
      "lethe.nn.Linear(4096, \(MemoryLimit.current.bytes / 4 / 4096 + 1))",
      "lethe.tensor.zeros(\(MemoryLimit.current.bytes / 4 / 4096 + 1), 1) + lethe.tensor.zeros(1, 4096)",
    ] {
      let out = try lua.vm.run("local ok, e = pcall(function() return \(expression) end); return ok, e")
      XCTAssertEqual(out.first, "false", expression)
      XCTAssertTrue(out.last?.contains("not enough memory: a tensor of shape [") ?? false, "\(expression): \(out)")
    }
    // The issue's own lines: beyond any limit a machine of today sets.
    XCTAssertTrue(lua.errorLine(of: "lethe.nn.Linear(1e6, 1e6)")?.contains("has too many elements") ?? false)
    XCTAssertEqual(try lua.vm.run("return 1 + 1"), ["2"], "the state survives")
  }

  /// `load`, `loadfile`, `dofile`, `require` and scripts take text chunks only: Lua does not
  /// verify bytecode, and a crafted chunk crashes the VM.
  func testOnlyTextChunksLoad() throws {
    let lua = try CapturedVM()
    let dir = NSTemporaryDirectory() + "lethe-chunks-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try lua.vm.run(
      """
      local f = io.open('\(dir)/bin.lua', 'wb'); f:write(string.dump(function() return 42 end)); f:close()
      f = io.open('\(dir)/binmod.lua', 'wb'); f:write(string.dump(function() return {} end)); f:close()
      f = io.open('\(dir)/textmod.lua', 'w'); f:write('return {answer = 42}'); f:close()
      package.path = '\(dir)/?.lua;' .. package.path
      """)
    let refused = "attempt to load a binary chunk (mode is 't')"
    for (code, expected) in [
      ("return select(2, load(string.dump(function() end)))", refused),
      ("return select(2, load(string.dump(function() end), 'x', 'b'))", refused),
      ("return select(2, load(string.dump(function() end), 'x', 'bt', {}))", refused),
      ("return select(2, loadfile('\(dir)/bin.lua'))", refused),
      ("return select(2, loadfile('\(dir)/bin.lua', 'b'))", refused),
      ("return select(2, pcall(dofile, '\(dir)/bin.lua'))", refused),
      ("return select(2, pcall(require, 'binmod'))", "error loading module 'binmod' from file '\(dir)/binmod.lua':"),
      ("return select(2, pcall(require, 'binmod'))", refused),
      ("local i = 0; return select(2, load(function() i = i + 1; if i == 1 then return string.dump(print) end end))",
        refused),
    ] {
      let got = try lua.vm.run(code).first ?? ""
      XCTAssertTrue(got.contains(expected), "\(code): \(got)")
    }
    // Text still loads, with everything load's signature offers.
    XCTAssertEqual(try lua.vm.run("return load('return x', 'chunk', 't', {x = 5})()"), ["5"])
    XCTAssertEqual(try lua.vm.run("return load('return ...', '=n')(7)"), ["7"])
    XCTAssertEqual(try lua.vm.run("local p = {'return ', '6'}; local i = 0; return load(function() i = i + 1; return p[i] end)()"), ["6"])
    XCTAssertEqual(try lua.vm.run("return select('#', load('syntax error here'))"), ["2"])
    XCTAssertEqual(try lua.vm.run("return require('textmod').answer"), ["42"])
    XCTAssertEqual(try lua.vm.run("return dofile('\(dir)/textmod.lua').answer"), ["42"])
    XCTAssertEqual(try lua.vm.run("return loadfile('\(dir)/textmod.lua', 't', {})().answer"), ["42"])
    XCTAssertTrue(lua.errorLine(of: "require('no_such_module_anywhere')")?.contains("not found") ?? false)
    // A script file that is a precompiled chunk.
    XCTAssertThrowsError(try lua.vm.runFile(dir + "/bin.lua")) { error in
      XCTAssertEqual("\(error)", "\(dir)/bin.lua: a precompiled Lua chunk; Lethe runs Lua source text only")
    }
  }

  /// Bindings that push a caller-chosen number of values check the Lua stack first; the REPL
  /// prints up to what the stack holds.
  func testManyValuesDoNotOverflowTheLuaStack() throws {
    let lua = try CapturedVM()
    XCTAssertEqual(
      try lua.vm.run(
        "return select('#', lethe.tensor.no_grad(function(...) return select('#', ...) end, table.unpack({}, 1, 300000)))"),
      ["1"])
    // Lua's stack holds a million values: 999,980 results leave too little room to print them.
    let (output, errors) = try replSession("table.unpack({}, 1, 999980)\nprint('alive')\n")
    XCTAssertTrue(output.hasSuffix("alive\n"), String(output.suffix(100)))
    XCTAssertEqual(errors, "too many results to print\n")
  }

  /// Every dimension or position a message names counts from 1, as the caller's did.
  func testAxesInMessagesCountFromOne() throws {
    let lua = try CapturedVM()
    try lua.vm.run("T = lethe.tensor; t = T.ones(2, 3); s = T.new(5)")
    let cases: [(String, String)] = [
      ("t:squeeze(1)", "bad argument #1 to 'squeeze' (dimension 1 has extent 2, not 1)"),
      ("t:squeeze(-1)", "bad argument #1 to 'squeeze' (dimension -1 has extent 3, not 1)"),
      ("s:squeeze(1)", "bad argument #1 to 'squeeze' (dimension 1 out of range for a tensor of rank 0)"),
      ("t:size(3)", "bad argument #1 to 'size' (dimension 3 out of range for a tensor of rank 2)"),
      ("s:size(1)", "bad argument #1 to 'size' (dimension 1 out of range for a tensor of rank 0)"),
      ("T.cat({t, T.ones(3, 4)})",
        "bad argument #1 to 'cat' (tensor 2 has shape {3, 4}, tensor 1 {2, 3}: they must agree except in dimension 1)"),
      ("T.cat({t, T.ones(3, 4)}, 2)",
        "bad argument #1 to 'cat' (tensor 2 has shape {3, 4}, tensor 1 {2, 3}: they must agree except in dimension 2)"),
      ("T.cat({s, s})", "bad argument #1 to 'cat' (scalar tensors have no dimension to join along (stack them))"),
      ("t:permute(2, 2)", "bad argument #1 to 'permute' ({2, 2} is not an order of the dimensions 1..2)"),
      ("t:transpose(1, 3)", "bad argument #2 to 'transpose' (dimension 3 out of range for a tensor of rank 2)"),
      ("s:transpose(1, 1)", "bad argument #1 to 'transpose' (dimension 1 out of range for a tensor of rank 0)"),
      ("t:sum(0)", "bad argument #1 to 'sum' (dimension 0 out of range for a tensor of rank 2)"),
      ("s:mean(1)", "bad argument #1 to 'mean' (dimension 1 out of range for a tensor of rank 0)"),
      ("s:softmax()", "bad argument #1 to 'softmax' (dimension -1 out of range for a tensor of rank 0)"),
      ("T.ones(3):flatten()", "bad argument #1 to 'flatten' (dimension 2 out of range for a tensor of rank 1)"),
      ("s:argmax(1)", "bad argument #1 to 'argmax' (dimension 1 out of range for a tensor of rank 0)"),
      ("s:classes()", "calling 'classes' on bad self (logits [N, K] expected, got a scalar)"),
      ("s:slice(1, 1)", "bad argument #1 to 'slice' (dimension 1 out of range for a tensor of rank 0)"),
      ("t:slice(2, 4)", "bad argument #2 to 'slice' (position 4 out of range 1..3)"),
      ("t:index_select(1, {0})", "bad argument #2 to 'index_select' (position 0 out of range 1..2)"),
      ("t:get(1, 4)", "bad argument #2 to 'get' (position 4 out of range 1..3)"),
      ("T.stack({t, t}, 4)", "bad argument #2 to 'stack' (dimension 4 out of range for a tensor of rank 3)"),
    ]
    for (code, expected) in cases {
      let line = lua.errorLine(of: code) ?? "no error"
      XCTAssertEqual(line, "test:1: " + expected, code)
      XCTAssertFalse(line.contains("axis"), line)
    }
  }

  /// `results` and `report.table` of a file that is not there are errors, not `{}`.
  func testMissingResultsFilesAreErrors() throws {
    let lua = try CapturedVM()
    XCTAssertEqual(
      lua.errorLine(of: "lethe.experiment.results('typo.jsonl')"), "test:1: cannot read typo.jsonl: no such file or folder")
    XCTAssertEqual(
      lua.errorLine(of: "lethe.report.table('typo.jsonl')"), "test:1: cannot read typo.jsonl: no such file or folder")
  }

  /// The context's integers from Lua: extremes that overflowed `hi - lo + 1` or `position - 1`,
  /// and a permutation larger than memory, are argument errors inside the method.
  func testUnlearningContextIntegersAreChecked() throws {
    let lua = try CapturedVM()
    let dir = NSTemporaryDirectory() + "lethe-ctx-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = try lua.vm.run(
      """
      lethe.method{name = "ctx_checks", unlearn = function(ctx)
        local a = select(2, pcall(ctx.random_int, ctx, math.mininteger, math.maxinteger))
        local b = select(2, pcall(ctx.train, ctx, {indices = {1}, relabel = {[math.mininteger] = 1}}))
        local c = select(2, pcall(ctx.train, ctx, {indices = {1}, relabel = {[100000] = 1}}))
        local d = select(2, pcall(ctx.permutation, ctx, 2^60))
        error(table.concat({a, b, c, d}, "\\n"), 0)
      end}
      lethe.experiment.run{datasets = {{"purchase-synthetic", classes = 3, train_count = 60, test_count = 30}},
        models = {{"mlp", hidden = 4}}, training = {epochs = 1}, scenarios = {{"sample", fraction = 0.1}},
        methods = {"ctx_checks"}, seeds = {0}, results = "\(dir)/r.jsonl", cache = "\(dir)/cache"}
      return lethe.experiment.results("\(dir)/r.jsonl")[1].error
      """)
    let lines = (out.first ?? "").split(separator: "\n").map(String.init)
    // (pcall leaves Lua no name for the function: "bad argument #3 to '?'".)
    XCTAssertTrue(lines.contains { $0.hasSuffix("(lo ≤ hi with hi - lo < 9223372036854775807 expected)") }, "\(lines)")
    XCTAssertTrue(lines.contains { $0.hasSuffix("(field 'relabel': relabelled position -9223372036854775808 outside 1..60)") }, "\(lines)")
    XCTAssertTrue(lines.contains { $0.hasSuffix("(field 'relabel': relabelled position 100000 outside 1..60)") }, "\(lines)")
    XCTAssertTrue(lines.contains { $0.contains("not enough memory: a permutation of 1152921504606846976 positions") }, "\(lines)")
  }
}
