import Core
import Foundation
import Methods
import XCTest

@testable import Experiments

final class ExperimentRunnerTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testScheduleExpandsEveryCombinationGroupedByOriginalModel() throws {
    let s = Schedule(
      datasets: [NamedSpec("a"), NamedSpec("b")], models: [NamedSpec("m")],
      scenarios: [NamedSpec("s1"), NamedSpec("s2")], methods: [NamedSpec("x"), NamedSpec("y")], seeds: [1, 2])
    let runs = try s.runs { $0 }
    XCTAssertEqual(runs.count, 16)
    XCTAssertEqual(Set(runs.map(\.key)).count, 16)
    // The first four runs share one M0 (dataset a, seed 1).
    XCTAssertEqual(Set(runs.prefix(4).map(\.originalModelKey)).count, 1)
    XCTAssertEqual(Set(runs.prefix(2).map(\.retrainKey)).count, 1)
    XCTAssertThrowsError(try Schedule(datasets: [], models: [NamedSpec("m")], scenarios: [NamedSpec("s")],
      methods: [NamedSpec("x")]).runs { $0 })
  }

  func testRunKeysAreStableAndOptionOrderFree() {
    let a = NamedSpec("neggrad", ["lr": .number(0.01), "epochs": .number(1)])
    let b = NamedSpec("neggrad", ["epochs": .number(1), "lr": .number(0.01)])
    XCTAssertEqual(a.canonical, "neggrad(epochs=1,lr=0.01)")
    XCTAssertEqual(a.canonical, b.canonical)
    XCTAssertEqual(StableHash.hex(""), "cbf29ce484222325")  // FNV-1a offset basis
    XCTAssertEqual(StableHash.hex("a"), "af63dc4c8601ec8c")  // published FNV-1a test vector
  }

  func testFailedRunIsRecordedAndSweepContinuesThenRerunSkipsFinished() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    let runs = try Fixtures.schedule(methods: ["finetune", "broken", "neggrad"]).runs { $0 }
    let first = FakeExecutor()
    let summary = try ExperimentRunner(executor: first, results: ResultsFile(path: path), threads: 2,
      progress: { _ in }).run(runs)
    XCTAssertEqual(summary.completed, 4)
    XCTAssertEqual(summary.failed, 2)
    let records = try ResultsFile(path: path).read().records
    XCTAssertEqual(records.count, 6)
    let failed = records.filter { $0.status == .failed }
    XCTAssertEqual(failed.count, 2)
    XCTAssertTrue(failed[0].error?.contains("always fails") ?? false)
    let ok = try XCTUnwrap(records.first { $0.status == .ok })
    XCTAssertEqual(ok.scenarioDigest, "digest-sample")
    XCTAssertEqual(ok.machine.threads, 2)
    XCTAssertEqual(ok.letheVersion, LetheVersion.current)

    let second = FakeExecutor()
    let again = try ExperimentRunner(executor: second, results: ResultsFile(path: path), threads: 2,
      progress: { _ in }).run(runs)
    XCTAssertEqual(again.skipped, 4)
    XCTAssertEqual(second.executed.count, 2, "only the failed runs are retried")
  }

  func testTornLastLineIsReportedAndDoesNotSwallowTheNextRecord() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    let runs = try Fixtures.schedule(seeds: [0]).runs { $0 }
    let file = ResultsFile(path: path)
    try ExperimentRunner(executor: FakeExecutor(), results: file, threads: 1, progress: { _ in }).run([runs[0]])
    // Simulate a writer killed halfway through a line.
    try Data("{\"key\":\"abc\",\"run\":{\"data".utf8).append(toFile: path)
    var messages: [String] = []
    let summary = try ExperimentRunner(executor: FakeExecutor(), results: file, threads: 1,
      progress: { messages.append($0) }).run(runs)
    XCTAssertEqual(summary.corruptLines.map(\.lineNumber), [2])
    XCTAssertTrue(messages.contains { $0.contains("line 2") }, "\(messages)")
    let contents = try file.read()
    XCTAssertEqual(contents.records.count, 2)
    XCTAssertEqual(contents.corrupt.map(\.lineNumber), [2])
  }

  /// A sweep killed with a real SIGKILL resumes without losing or duplicating a finished record.
  /// The sweep runs in `lethe-sweep-kill-helper`, a small executable built beside this test bundle.
  func testSweepKilledWithSigkillResumesWithoutLossOrDuplication() throws {
    let helper = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("lethe-sweep-kill-helper")
    guard FileManager.default.isExecutableFile(atPath: helper.path) else {
      return XCTFail("\(helper.path) is not built (swift build --build-tests builds it)")
    }
    let path = Fixtures.temporaryPath("results.jsonl")
    let process = Process()
    process.executableURL = helper
    process.arguments = [path, "0.4"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Wait until at least two records are on disk, then kill -9 mid-sweep.
    let deadline = Date().addingTimeInterval(60)
    var lines = 0
    while lines < 2 && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
      lines = (try? ResultsFile(path: path).read().records.count) ?? 0
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationReason, .uncaughtSignal)
    let before = try ResultsFile(path: path).read()
    XCTAssertGreaterThanOrEqual(before.records.count, 2)
    XCTAssertLessThan(before.records.count, 8, "the sweep was killed before it finished")

    // The helper's schedule.
    let runs = try Fixtures.schedule(methods: ["finetune", "neggrad"], seeds: [0, 1, 2, 3]).runs { $0 }
    let resumed = FakeExecutor()
    let summary = try ExperimentRunner(executor: resumed, results: ResultsFile(path: path), threads: 1,
      progress: { _ in }).run(runs)
    XCTAssertEqual(summary.skipped, before.records.count)
    XCTAssertEqual(resumed.executed.count, runs.count - before.records.count)
    let after = try ResultsFile(path: path).read()
    XCTAssertEqual(after.records.count, runs.count)
    XCTAssertEqual(Set(after.records.map(\.key)), Set(runs.map(\.key)), "no run lost")
    XCTAssertEqual(Array(after.records.prefix(before.records.count)), before.records, "records kept intact")
  }
}

final class InterruptionTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  /// Ctrl-C stops the sweep between runs without recording the interrupted run as failed.
  func testInterruptStopsTheSweepWithoutRecordingAFailure() throws {
    final class Interrupting: RunExecutor {
      var calls = 0
      func execute(_ run: RunIdentity) throws -> RunOutcome {
        calls += 1
        if calls == 2 { throw TrainingInterrupted() }
        return RunOutcome(metrics: ["acc_test": 1])
      }
    }
    let path = Fixtures.temporaryPath("results.jsonl")
    let runner = ExperimentRunner(executor: Interrupting(), results: ResultsFile(path: path), threads: 1,
      progress: { _ in })
    runner.isInterruption = { $0 is TrainingInterrupted }
    XCTAssertThrowsError(try runner.run(try Fixtures.schedule().runs { $0 })) { XCTAssertTrue($0 is TrainingInterrupted) }
    let records = try ResultsFile(path: path).read().records
    XCTAssertEqual(records.map(\.status), [.ok])
  }
}
