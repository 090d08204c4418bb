import Foundation
import XCTest

/// Issue 17's bad command lines, run by the real `lethe` executable: unknown commands and
/// options, missing, unreadable and binary files, folders where files belong, bad numbers, bad
/// environment. Each must exit with the code docs/cli.md gives (2: usage, 1: the command failed)
/// and say what is wrong on one line of standard error. Skipped when the executable is not built.
final class CommandLineBatteryTests: XCTestCase {
  /// One command line: its arguments, extra environment, the exit code and a fragment of the
  /// first line of standard error (of standard output when the code is 0).
  struct Case {
    var arguments: [String]
    var environment: [String: String] = [:]
    var code: Int32
    var message: String
  }

  static let usage: [Case] = [
    Case(arguments: [], code: 2, message: "lethe: no command given; commands: run, repl, try, data"),
    Case(arguments: ["frobnicate"], code: 2, message: "Unexpected argument 'frobnicate'"),
    Case(arguments: ["RUN", "ok.lua"], code: 2, message: "2 unexpected arguments: 'RUN', 'ok.lua'"),
    Case(arguments: [" run"], code: 2, message: "Unexpected argument ' run'"),
    Case(arguments: ["help", "frobnicate"], code: 2, message: "lethe: no command 'frobnicate'; commands: run"),
    Case(arguments: ["help", "run", "extra"], code: 2, message: "lethe: help takes one command name, got 2"),
    Case(arguments: ["--frob"], code: 2, message: "Unknown option '--frob'"),
    Case(arguments: ["--seed", "3", "run", "ok.lua"], code: 2, message: "Unknown option '--seed'"),
    Case(arguments: ["run"], code: 2, message: "Missing expected argument '<file>'"),
    Case(arguments: ["run", "--frob", "ok.lua"], code: 2, message: "Unknown option '--frob'"),
    Case(arguments: ["run", "--quiet=3", "ok.lua"], code: 2, message: "'--quiet' does not take any value"),
    Case(arguments: ["run", "--seed"], code: 2, message: "Missing value for '--seed <seed>'"),
    Case(arguments: ["run", "--seed", "-1", "ok.lua"], code: 2,
      message: "The value '-1' is invalid for '--seed <seed>': --seed takes a whole number from 0 to 18446744073709551615"),
    Case(arguments: ["run", "--seed", "abc", "ok.lua"], code: 2, message: "The value 'abc' is invalid for '--seed <seed>'"),
    Case(arguments: ["run", "--seed", "1e3", "ok.lua"], code: 2, message: "The value '1e3' is invalid for '--seed <seed>'"),
    Case(arguments: ["run", "--seed", "3.5", "ok.lua"], code: 2, message: "The value '3.5' is invalid for '--seed <seed>'"),
    Case(arguments: ["run", "--seed", "99999999999999999999", "ok.lua"], code: 2,
      message: "The value '99999999999999999999' is invalid for '--seed <seed>'"),
    Case(arguments: ["run", "--seed", "ok.lua"], code: 2, message: "The value 'ok.lua' is invalid for '--seed <seed>'"),
    Case(arguments: ["run", "--threads", "-3", "ok.lua"], code: 2,
      message: "The value '-3' is invalid for '--threads <threads>': --threads takes a whole number ≥ 1"),
    Case(arguments: ["run", "--threads", "0", "ok.lua"], code: 2, message: "--threads takes a whole number ≥ 1"),
    Case(arguments: ["run", "--threads", "two", "ok.lua"], code: 2, message: "The value 'two' is invalid for '--threads"),
    Case(arguments: ["run", "--threads", "", "ok.lua"], code: 2, message: "The value '' is invalid for '--threads"),
    Case(arguments: ["run", "--threads", "9999999999999999999999", "ok.lua"], code: 2,
      message: "is invalid for '--threads <threads>'"),
    Case(arguments: ["repl", "extra"], code: 2, message: "Unexpected argument 'extra'"),
    Case(arguments: ["repl", "--seed", "-5"], code: 2, message: "The value '-5' is invalid for '--seed <seed>'"),
    Case(arguments: ["data", "extra"], code: 2, message: "Unexpected argument 'extra'"),
    Case(arguments: ["data", "--threads", "x"], code: 2, message: "The value 'x' is invalid for '--threads"),
    Case(arguments: ["methods", "extra"], code: 2, message: "Unexpected argument 'extra'"),
    Case(arguments: ["methods", "--seed"], code: 2, message: "Missing value for '--seed <seed>'"),
    Case(arguments: ["version", "extra"], code: 2, message: "Unexpected argument 'extra'"),
    Case(arguments: ["version", "--seed", "-1"], code: 2, message: "The value '-1' is invalid for '--seed <seed>'"),
    Case(arguments: ["report"], code: 2, message: "Missing expected argument '<results>'"),
    Case(arguments: ["report", "good.jsonl", "extra"], code: 2, message: "Unexpected argument 'extra'"),
    Case(arguments: ["report", "good.jsonl", "--out"], code: 2, message: "Missing value for '--out <out>'"),
    Case(arguments: ["report", "good.jsonl", "--metrics"], code: 2, message: "Missing value for '--metrics <metrics>'"),
    Case(arguments: ["report", "good.jsonl", "--threads", "-1"], code: 2, message: "The value '-1' is invalid"),
    Case(arguments: ["plan"], code: 2, message: "Missing expected argument '<schedule>'"),
    Case(arguments: ["plan", "ok.lua", "--seed", "-1"], code: 2, message: "The value '-1' is invalid for '--seed <seed>'"),
    Case(arguments: ["status", "--threads", "-2", "ok.lua"], code: 2, message: "The value '-2' is invalid for '--threads"),
    Case(arguments: ["submit"], code: 2, message: "Missing expected argument '<schedule>'"),
    Case(arguments: ["version"], environment: ["LETHE_MAX_MEMORY": "lots"], code: 2,
      message: "lethe: LETHE_MAX_MEMORY='lots' is not a size (examples: 16G, 512M, 75%)"),
    Case(arguments: ["run", "ok.lua"], environment: ["LETHE_MAX_MEMORY": "0"], code: 2,
      message: "lethe: LETHE_MAX_MEMORY='0' is not a size"),
    Case(arguments: ["repl"], environment: ["LETHE_MAX_MEMORY": "150%"], code: 2,
      message: "lethe: LETHE_MAX_MEMORY='150%' is not a size"),
  ]

  static let failures: [Case] = [
    Case(arguments: ["run", "nosuch.lua"], code: 1, message: "lethe: cannot open nosuch.lua: No such file or directory"),
    Case(arguments: ["run", ""], code: 1, message: "lethe: cannot open : No such file or directory"),
    Case(arguments: ["run", "--seed", "5", "nosuch.lua"], code: 1, message: "lethe: cannot open nosuch.lua"),
    Case(arguments: ["run", "adir"], code: 1, message: "lethe: cannot read adir: Is a directory"),
    Case(arguments: ["run", "adir/"], code: 1, message: "lethe: cannot read adir/: Is a directory"),
    Case(arguments: ["run", "ok.lua/x"], code: 1, message: "lethe: cannot open ok.lua/x: Not a directory"),
    Case(arguments: ["run", "/proc/self/mem"], code: 1, message: "lethe: cannot read /proc/self/mem: Input/output error"),
    Case(arguments: ["run", "binchunk.lua"], code: 1,
      message: "lethe: binchunk.lua: a precompiled Lua chunk; Lethe runs Lua source text only"),
    Case(arguments: ["run", "syntax.lua"], code: 1, message: "lethe: syntax.lua:1: unexpected symbol near '='"),
    Case(arguments: ["run", "error.lua"], code: 1, message: "lethe: error.lua:1: boom"),
    Case(arguments: ["run", "alloc.lua"], code: 1,
      message: "lethe: alloc.lua:1: not enough memory: a tensor of shape [100000, 100000] needs 37.3 GiB; the limit is 1.0 GiB"),
    Case(arguments: ["run", "linear.lua"], code: 1, message: "lethe: linear.lua:1: invalid shape: shape [1000000, 1000000]"),
    Case(arguments: ["run", "cycle.lua"], code: 1,
      message: "lethe: cycle.lua:1: bad argument #1 to 'new' (tables nested more than 32 deep)"),
    Case(arguments: ["run", "loadbinary.lua"], code: 1, message: "attempt to load a binary chunk (mode is 't')"),
    Case(arguments: ["run", "unwritable-cache.lua"], code: 1,
      message: "unwritable-cache.lua:1: cannot write into the model cache folder /proc: "),
    Case(arguments: ["run", "typo-results.lua"], code: 1,
      message: "typo-results.lua:1: cannot read typo.jsonl: no such file or folder"),
    Case(arguments: ["plan", "nosuch.lua"], code: 1, message: "lethe: cannot open nosuch.lua: No such file or directory"),
    Case(arguments: ["plan", "binchunk.lua"], code: 1, message: "lethe: binchunk.lua: a precompiled Lua chunk"),
    Case(arguments: ["status", "adir"], code: 1, message: "lethe: cannot read adir: Is a directory"),
    Case(arguments: ["report", "nosuch.jsonl"], code: 1, message: "lethe: cannot read nosuch.jsonl: no such file or folder"),
    Case(arguments: ["report", "empty.jsonl"], code: 1, message: "lethe: empty.jsonl: nothing to report: it is empty"),
    Case(arguments: ["report", "corrupt.jsonl"], code: 1,
      message: "lethe: corrupt.jsonl: nothing to report: none of its 2 lines is a record (line 1: not valid JSON"),
    Case(arguments: ["report", "binary.jsonl"], code: 1,
      message: "lethe: binary.jsonl: not a results file (binary data, not JSON Lines)"),
    Case(arguments: ["report", "binchunk.lua"], code: 1, message: "lethe: binchunk.lua: not a results file"),
    Case(arguments: ["report", "adir"], code: 1, message: "lethe: cannot read adir: is a folder"),
    Case(arguments: ["report", "good.jsonl", "--out", "/proc/report"], code: 1,
      message: "lethe: cannot create the folder /proc/report: "),
    Case(arguments: ["report", "good.jsonl", "--out", "ok.lua"], code: 1,
      message: "lethe: cannot create the folder ok.lua: a file of that name is in the way"),
    Case(arguments: ["report", "good.jsonl", "--out", "ok.lua/report"], code: 1,
      message: "lethe: cannot create the folder ok.lua/report: a part of the path is not a folder"),
    Case(arguments: ["report", "good.jsonl", "--metrics", "frob"], code: 1,
      message: "lethe: unknown metric 'frob'; valid: acc_test"),
  ]

  /// Command lines that must succeed, for contrast.
  static let successes: [Case] = [
    Case(arguments: ["version"], code: 0, message: "lethe "),
    Case(arguments: ["--version"], code: 0, message: "lethe "),
    Case(arguments: ["help"], code: 0, message: "OVERVIEW: Lethe"),
    Case(arguments: ["help", "report"], code: 0, message: "OVERVIEW: Write Markdown/CSV tables"),
    Case(arguments: ["help", "plan"], code: 0, message: "OVERVIEW: List a schedule's runs"),
    Case(arguments: ["run", "--help"], code: 0, message: "OVERVIEW: Run a Lua script"),
    Case(arguments: ["run", "--seed", "0", "--threads", "1", "ok.lua"], code: 0, message: "ok"),
    Case(arguments: ["run", "ok.lua", "--seed", "-1"], code: 0, message: "ok"),
    Case(arguments: ["report", "good.jsonl", "--out", "report"], code: 0, message: "| scenario | method | seeds |"),
  ]

  var lethe: URL!
  var dir: String!

  override func setUpWithError() throws {
    lethe = URL(fileURLWithPath: try ChildProcess.lethe())
    dir = NSTemporaryDirectory() + "lethe-cli-battery-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir + "/adir", withIntermediateDirectories: true)
    let schedule = """
      lethe.experiment.run{datasets = {{"purchase-synthetic", classes = 3, train_count = 60, test_count = 30}},
        models = {{"mlp", hidden = 4}}, training = {epochs = 1}, scenarios = {{"sample", fraction = 0.1}},
        methods = {"retrain"}, seeds = {0}, results = "r.jsonl", cache = "/proc"}
      """
    let files: [String: [UInt8]] = [
      "ok.lua": Array("print('ok')".utf8),
      "syntax.lua": Array("x = = 1".utf8),
      "error.lua": Array("error('boom')".utf8),
      "alloc.lua": Array("lethe.tensor.zeros(1e5, 1e5)".utf8),
      "linear.lua": Array("lethe.nn.Linear(1e6, 1e6)".utf8),
      "cycle.lua": Array("local t = {}; t[1] = t; lethe.tensor.new(t)".utf8),
      "loadbinary.lua": Array("assert(load(string.dump(function() end)))".utf8),
      "unwritable-cache.lua": Array(schedule.replacingOccurrences(of: "\n", with: " ").utf8),
      "typo-results.lua": Array("lethe.experiment.results('typo.jsonl')".utf8),
      "binchunk.lua": [0x1b, 0x4c, 0x75, 0x61, 0x54, 0x00, 0x19, 0x93, 0x0d, 0x0a, 0x1a, 0x0a, 0x04, 0x08, 0x08],
      "empty.jsonl": [],
      "corrupt.jsonl": Array("not json\n{\"key\": 1}\n".utf8),
      "binary.jsonl": [0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x0a, 0x00, 0x01],
      "good.jsonl": Array(Self.record.utf8),
    ]
    for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name)) }
  }

  override func tearDownWithError() throws {
    if let dir { try? FileManager.default.removeItem(atPath: dir) }
  }

  /// Runs every case, a few at a time; returns (code, stdout, stderr) per case.
  func run(_ cases: [Case]) -> [(Int32, String, String)] {
    let results = Results(count: cases.count)
    let lethe = self.lethe!
    let dir = self.dir!
    DispatchQueue.concurrentPerform(iterations: cases.count) { k in
      let c = cases[k]
      var env = ProcessInfo.processInfo.environment
      env["LETHE_MAX_MEMORY"] = "1G"
      for (name, value) in c.environment { env[name] = value }
      do {
        results.set(k, try runLethe(lethe, c.arguments, environment: env, directory: dir))
      } catch {
        results.set(k, (-1, "", "\(error)"))
      }
    }
    return results.values
  }

  func check(_ cases: [Case]) {
    for (c, (code, out, err)) in zip(cases, run(cases)) {
      let name = "lethe " + c.arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
      XCTAssertEqual(code, c.code, "\(name)\n\(err)")
      let shown = c.code == 0 ? out : err
      XCTAssertTrue(shown.contains(c.message), "\(name)\n  expected: \(c.message)\n  got: \(shown.prefix(400))")
      if c.code != 0 {
        XCTAssertFalse(err.isEmpty, name)
        for bad in ["Fatal error", "NSCocoaErrorDomain", "Error Domain=", "Signal "] {
          XCTAssertFalse(err.contains(bad), "\(name): \(err)")
        }
      }
    }
  }

  func testUsageErrorsExitTwoSayingWhatIsWrong() {
    check(Self.usage)
  }

  func testFailedCommandsExitOneNamingTheFileAndTheReason() {
    check(Self.failures)
    // The sweep with an unwritable cache recorded nothing: it stopped before training.
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/r.jsonl"))
  }

  func testGoodCommandLinesSucceed() {
    check(Self.successes)
    XCTAssertGreaterThanOrEqual(Self.usage.count + Self.failures.count, 56)
  }

  /// An unreadable file (root reads everything, so only as another user).
  func testUnreadableFiles() throws {
    try XCTSkipIf(getuid() == 0, "root can read a file of mode 000")
    for name in ["ok.lua", "good.jsonl"] { chmod(dir + "/" + name, 0) }
    check([
      Case(arguments: ["run", "ok.lua"], code: 1, message: "lethe: cannot open ok.lua: Permission denied"),
      Case(arguments: ["report", "good.jsonl"], code: 1, message: "lethe: cannot read good.jsonl: permission denied"),
    ])
  }

  /// One record of a results file, as `lethe.experiment.run` writes it.
  static let record = #"""
    {"finished_at":"2026-12-06T06:18:58Z","forget_count":6,"key":"0a5c1ff5ddcc2c4a","lethe_version":"0.1.0","machine":{"cores":2,"cpu":"AMD EPYC","hostname":"vm","os":"Debian GNU/Linux 12 (bookworm)","threads":2},"metrics":{"acc_deleted":66.66666666666667,"acc_remained":66.66666666666667,"acc_test":66.66666666666667,"dist_output":0,"dist_para":0,"mia_auc":0.5677777777777778,"mia_efficacy":50,"speedup":1},"notes":{"model":"M_retrain (identical by construction)"},"run":{"dataset":{"name":"purchase-synthetic","options":{"classes":3,"test_count":30,"train_count":60}},"method":{"name":"retrain","options":{"epochs":0}},"model":{"name":"mlp","options":{"hidden":4}},"scenario":{"name":"sample","options":{"fraction":0.1}},"seed":0,"training":{"name":"default","options":{"batch_size":32,"epochs":1}}},"scenario_digest":"3cafb7c98e3d7cd2872d4ab8e1a5a7df7f0a8bfa71bb5feed40d0aaf792d346f","status":"ok","timings":{"prepare_s":0,"retrain_s":0.000447964,"train_s":0.036836508000000004,"unlearn_s":0.000447964}}

    """#
}

/// Results filled in from several threads.
private final class Results: @unchecked Sendable {
  private var items: [(Int32, String, String)]
  private let lock = NSLock()

  init(count: Int) { items = Array(repeating: (0, "", ""), count: count) }

  func set(_ k: Int, _ value: (Int32, String, String)) {
    lock.lock()
    items[k] = value
    lock.unlock()
  }

  var values: [(Int32, String, String)] {
    lock.lock()
    defer { lock.unlock() }
    return items
  }
}
