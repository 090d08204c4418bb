import Foundation
import XCTest

/// `lethe methods`, `lethe report`, and a schedule run by the real `lethe` executable that is
/// killed with SIGKILL mid-sweep and resumed. Skipped when the executable is not built.
final class ExperimentCommandLineTests: XCTestCase {
  var lethe: URL!
  var dir: String!

  override func setUpWithError() throws {
    lethe = URL(fileURLWithPath: try ChildProcess.lethe())
    dir = NSTemporaryDirectory() + "lethe-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let dir { try? FileManager.default.removeItem(atPath: dir) }
  }

  func process(_ arguments: [String]) -> (Process, Pipe, Pipe) {
    let p = Process()
    p.executableURL = lethe
    p.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    return (p, out, err)
  }

  func run(_ arguments: [String]) throws -> (Int32, String, String) {
    let (p, out, err) = process(arguments)
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
  }

  func testMethodsListsSwiftAndLuaMethodsWithDefaults() throws {
    let (status, out, _) = try run(["methods"])
    XCTAssertEqual(status, 0)
    XCTAssertTrue(out.contains("random_labels  [lua: "), out)
    XCTAssertTrue(out.contains("neggrad+  [swift]"), out)
    XCTAssertTrue(out.contains("alpha (number, default 0.9999)"), out)
  }

  /// The schedule: eight tiny runs, each held up by a slow Lua method, so the kill lands mid-sweep.
  var schedule: String {
    """
    local lethe = require "lethe"
    lethe.method{name = "slow_noop", summary = "waits, changes nothing",
      unlearn = function(ctx) local t = os.clock() while os.clock() - t < 0.4 do end end}
    lethe.experiment.run{
      datasets = {{"purchase-synthetic", classes = 3, train_count = 120, test_count = 60}},
      models = {{"mlp", hidden = 8}}, training = {epochs = 1, batch_size = 32},
      scenarios = {{"sample", fraction = 0.1}}, methods = {"slow_noop", "retrain"},
      seeds = {0, 1, 2, 3},
      results = "\(dir!)/results.jsonl", cache = "\(dir!)/cache",
    }
    """
  }

  func records() -> [String] {
    let text = (try? String(contentsOfFile: dir + "/results.jsonl", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map(String.init)
  }

  func keys(_ lines: [String]) -> [String] {
    lines.compactMap { line in
      guard let data = line.data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { return nil }
      return object["key"] as? String
    }
  }

  func testScheduleKilledWithSigkillResumesWithoutLossOrDuplication() throws {
    let script = dir + "/schedule.lua"
    try schedule.write(toFile: script, atomically: true, encoding: .utf8)
    let (p, _, _) = process(["run", "--quiet", script])
    try p.run()
    let deadline = Date().addingTimeInterval(120)
    while records().count < 2 && Date() < deadline && p.isRunning { Thread.sleep(forTimeInterval: 0.05) }
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the sweep finished before it could be killed")
    let before = records()
    XCTAssertGreaterThanOrEqual(before.count, 2)
    XCTAssertLessThan(before.count, 8)

    let (status, _, err) = try run(["run", "--quiet", script])
    XCTAssertEqual(status, 0, err)
    let after = records()
    let afterKeys = keys(after)
    XCTAssertEqual(afterKeys.count, 8, "every run recorded once")
    XCTAssertEqual(Set(afterKeys).count, 8, "no duplicates")
    XCTAssertEqual(Array(after.prefix(before.count)), before, "finished records untouched")
  }

  func testReportCommandPrintsTheTableAndReportsCorruptLines() throws {
    let script = dir + "/schedule.lua"
    try schedule.replacingOccurrences(of: "seeds = {0, 1, 2, 3}", with: "seeds = {0, 1}")
      .write(toFile: script, atomically: true, encoding: .utf8)
    XCTAssertEqual(try run(["run", "--quiet", script]).0, 0)
    let handle = try XCTUnwrap(FileHandle(forWritingAtPath: dir + "/results.jsonl"))
    handle.seekToEndOfFile()
    handle.write(Data("{not json\n".utf8))
    handle.closeFile()
    let (status, out, err) = try run(["report", dir + "/results.jsonl", "--out", dir + "/report"])
    XCTAssertEqual(status, 0, err)
    XCTAssertTrue(out.contains("| slow_noop |"), out)
    XCTAssertTrue(out.contains("ACC_test"), out)
    XCTAssertTrue(err.contains("line 5: not valid JSON"), err)
    for file in ["results.md", "results.csv", "acc_test.svg", "speedup.svg"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/report/" + file), file)
    }
    let (missing, _, message) = try run(["report", dir + "/nope.jsonl"])
    XCTAssertEqual(missing, 1)
    XCTAssertEqual(message, "lethe: cannot read \(dir!)/nope.jsonl: no such file or folder\n")
  }
}
