import Foundation
import XCTest

/// `lethe submit --slurm` against a real Slurm: a one-node cluster of Debian's slurm-wlm and
/// munge, started by `scripts/slurm-local.sh` (which installs them when missing) and stopped
/// after these tests when they started it. The tests skip — loudly — only when the cluster
/// cannot start; under CI (`CI` set) or with `LETHE_REQUIRE_SLURM=1` that is a failure instead.
final class SlurmClusterTests: XCTestCase {
  var lethe: String!
  var dir: String!
  var environment: [String: String] = [:]

  override func setUpWithError() throws {
    lethe = try ChildProcess.lethe()
    try LocalSlurm.ensureRunning()
    environment = [
      "SLURM_CONF": LocalSlurm.configuration,
      // One GEMM backend for every process (see docs/cluster.md, reproducibility).
      "LETHE_GEMM": "swift",
    ]
    dir = NSTemporaryDirectory() + "lethe-slurm-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let dir { try? FileManager.default.removeItem(atPath: dir) }
  }

  override class func tearDown() { LocalSlurm.stopIfStarted() }

  func lethe(_ arguments: [String]) throws -> ChildProcess.Result {
    try ChildProcess.run([lethe] + arguments, in: dir, environment: environment)
  }

  func slurm(_ arguments: [String]) throws -> String {
    try ChildProcess.run(arguments, in: dir, environment: environment).out
  }

  /// Purchase-synthetic's MLP, `methods` × three seeds; `arg[2]` seconds of waiting per run of
  /// the Lua methods `slow_a` and `slow_b`.
  func writeSchedule(methods: String) throws -> String {
    let path = dir + "/schedule.lua"
    try """
    local lethe = require "lethe"
    local out, delay = arg[1] or "out", tonumber(arg[2] or "0")
    local function wait() local t = os.clock() while os.clock() - t < delay do end end
    lethe.method{name = "slow_a", summary = "waits", unlearn = function(ctx) wait() end}
    lethe.method{name = "slow_b", summary = "waits", unlearn = function(ctx) wait() end}
    lethe.experiment.run{
      datasets = {{"purchase-synthetic", classes = 3, train_count = 150, test_count = 60}},
      models = {{"mlp", hidden = 8}}, training = {epochs = 2, batch_size = 32},
      scenarios = {{"sample", fraction = 0.1}},
      methods = {\(methods)},
      seeds = {0, 1, 2},
      results = out .. "/results.jsonl", cache = out .. "/cache", report = out .. "/report",
    }
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Submits; returns the job ids of the two arrays.
  func submit(_ schedule: String, arguments: [String]) throws -> (models: String, runs: String, out: String) {
    let s = try lethe(
      ["submit", "--slurm", "--cpus-per-task", "1", "--tasks", "3", "--time", "5:00", schedule, "--"] + arguments)
    XCTAssertEqual(s.status, 0, s.err)
    func id(_ prefix: String) -> String {
      let line = s.out.split(separator: "\n").first { $0.hasPrefix(prefix) } ?? ""
      return String(line.dropFirst(prefix.count).prefix { $0.isNumber })
    }
    return (id("submitted models: job "), id("submitted runs: job "), s.out)
  }

  /// Polls `squeue` until none of `jobs` is queued or running; returns one listing taken while
  /// tasks were running (with each array task on its own line).
  @discardableResult
  func wait(for jobs: [String], timeout: TimeInterval = 150) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var seenRunning = ""
    while Date() < deadline {
      let queue = try slurm(["squeue", "-r", "-h", "-j", jobs.joined(separator: ","), "-o", "%i %j %T %M %R"])
      if queue.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return seenRunning }
      if seenRunning.isEmpty && queue.contains("RUNNING") {
        seenRunning = try slurm(["squeue", "-r", "-j", jobs.joined(separator: ",")])
      }
      Thread.sleep(forTimeInterval: 0.25)
    }
    XCTFail("jobs \(jobs) still queued after \(timeout) s:\n" + (try slurm(["squeue", "-r"])))
    return seenRunning
  }

  /// Each task's final state from `scontrol` (finished jobs stay listed for MinJobAge).
  func states(_ job: String) throws -> [String] {
    try slurm(["scontrol", "-o", "show", "job", job]).split(separator: "\n").compactMap { line in
      line.split(separator: " ").first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst(9)) }
    }
  }

  /// The two-stage job array's merged results equal a single-process run of the same schedule,
  /// metric by metric (times left out), and each model was trained by exactly one task.
  func testJobArraysEqualASingleProcessRun() throws {
    let schedule = try writeSchedule(methods: "\"finetune\", \"neggrad\", \"retrain\"")
    let jobs = try submit(schedule, arguments: ["out"])
    XCTAssertFalse(jobs.models.isEmpty, jobs.out)
    XCTAssertFalse(jobs.runs.isEmpty, jobs.out)
    let listing = try wait(for: [jobs.models, jobs.runs])
    print("squeue while the arrays ran:\n\(listing)")
    XCTAssertEqual(try states(jobs.models), Array(repeating: "COMPLETED", count: 3))
    XCTAssertEqual(try states(jobs.runs), Array(repeating: "COMPLETED", count: 3))

    let logs = try FileManager.default.subpathsOfDirectory(atPath: dir + "/out/slurm").filter { $0.hasSuffix(".out") }
    let text = try logs.map { try String(contentsOfFile: dir + "/out/slurm/" + $0, encoding: .utf8) }
    let training = text.flatMap { $0.split(separator: "\n") }.filter { $0.hasPrefix("training ") }
    XCTAssertEqual(training.count, 6, "three M0s and three M_retrains, each once: \(training)")
    XCTAssertEqual(
      zip(logs, text).filter { $0.0.contains("runs-") && $0.1.contains("training ") }.count, 0,
      "the runs found their models cached")

    let status = try lethe(["status", schedule, "--", "out"])
    XCTAssertTrue(status.out.contains("9 runs: 9 done, 0 running, 0 failed, 0 missing"), status.out)
    let merge = try lethe(["merge", schedule, "--", "out"])
    XCTAssertEqual(merge.status, 0, merge.err)
    XCTAssertTrue(merge.out.contains("merged 9 records from 3 part files"), merge.out)
    let single = try lethe(["run", "--quiet", "--threads", "1", schedule, "single"])
    XCTAssertEqual(single.status, 0, single.err)
    let differences = metricDifferences(dir + "/out/results.jsonl", dir + "/single/results.jsonl")
    XCTAssertEqual(differences, [])
    let merged = resultRecords(dir + "/out/results.jsonl")
    print("equality check: \(merged.count) merged records from the job arrays vs "
      + "\(resultRecords(dir + "/single/results.jsonl").count) from one process: "
      + "\(differences.count) differing metrics (speedup and timings left out)")
    XCTAssertEqual(Set(merged.compactMap { $0["key"] as? String }).count, 9)
  }

  /// A task killed with scancel mid-run: its finished runs stay recorded, its unfinished ones are
  /// missing; submitting again runs exactly those, and the merge holds every run once.
  func testTaskKilledMidRunIsResubmittedWithoutLossOrDuplication() throws {
    let schedule = try writeSchedule(methods: "\"slow_a\", \"slow_b\"")
    let parts = dir + "/out/results.parts"
    let jobs = try submit(schedule, arguments: ["out", "1"])
    // Kill the first runs task that has recorded a run and is still running.
    let deadline = Date().addingTimeInterval(120)
    var victim: String?
    var recordedAtKill = 0
    while victim == nil && Date() < deadline {
      let running = try slurm(["squeue", "-r", "-h", "-j", jobs.runs, "-t", "RUNNING", "-o", "%i"])
        .split(separator: "\n").map(String.init)
      for task in running {
        let part = "\(parts)/slurm-\(task).jsonl"
        let n = resultRecords(part).count
        if n >= 1 {
          _ = try slurm(["scancel", task])
          victim = task
          recordedAtKill = n
          break
        }
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
    let killed = try XCTUnwrap(victim, "no runs task was seen running with a record")
    try wait(for: [jobs.models, jobs.runs])
    let finalStates = try states(jobs.runs)
    XCTAssertTrue(finalStates.contains("CANCELLED"), finalStates.joined(separator: " "))
    let survived = resultRecords("\(parts)/slurm-\(killed).jsonl").count
    XCTAssertGreaterThanOrEqual(survived, recordedAtKill, "records written before the kill are kept")
    XCTAssertLessThan(survived, 2, "the task was killed before finishing its two runs")

    let status = try lethe(["status", schedule, "--", "out"])
    let missing = 6 - resultRecords(dir + "/out/results.parts/slurm-\(jobs.runs)_1.jsonl").count
      - resultRecords(dir + "/out/results.parts/slurm-\(jobs.runs)_2.jsonl").count
      - resultRecords(dir + "/out/results.parts/slurm-\(jobs.runs)_3.jsonl").count
    XCTAssertGreaterThan(missing, 0)
    XCTAssertTrue(status.out.contains("6 runs: \(6 - missing) done, 0 running, 0 failed, \(missing) missing"), status.out)
    let before = try FileManager.default.contentsOfDirectory(atPath: parts).flatMap {
      ((try? String(contentsOfFile: "\(parts)/\($0)", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    let again = try submit(schedule, arguments: ["out", "1"])
    XCTAssertTrue(again.out.contains("\(6 - missing) done, 0 running, \(missing) to submit"), again.out)
    try wait(for: [again.models, again.runs])
    let merge = try lethe(["merge", schedule, "--", "out"])
    XCTAssertEqual(merge.status, 0, merge.err)
    let merged = try String(contentsOfFile: dir + "/out/results.jsonl", encoding: .utf8).split(separator: "\n")
      .map(String.init)
    XCTAssertEqual(merged.count, 6, "\(merged.count) records")
    XCTAssertEqual(Set(resultRecords(dir + "/out/results.jsonl").compactMap { $0["key"] as? String }).count, 6)
    XCTAssertTrue(Set(before).isSubset(of: Set(merged)), "every record from before the kill is in the merge")
    // Slurm's own account of the four arrays (the job-completion log slurm-local.sh keeps).
    let first = Int(jobs.models) ?? 0
    let accounting = try slurm(["sacct", "--completion", "-o", "JobID,JobName%12,State,Start,End,NodeList"])
      .split(separator: "\n").filter { line in
        guard let id = Int(line.split(separator: " ").first ?? "") else { return !line.hasPrefix("sacct") }
        return id >= first
      }
    print("sacct --completion for the two submissions:\n" + accounting.joined(separator: "\n"))
  }
}

/// The one-node cluster of `scripts/slurm-local.sh`, started once for the test process.
enum LocalSlurm {
  static let script = repositoryRoot.appendingPathComponent("scripts/slurm-local.sh").path
  static let configuration = (ProcessInfo.processInfo.environment["LETHE_SLURM_DIR"] ?? "/tmp/lethe-slurm")
    + "/slurm.conf"
  nonisolated(unsafe) private static var startedHere = false
  nonisolated(unsafe) private static var failure: String?
  nonisolated(unsafe) private static var checked = false

  /// Starts the cluster unless it runs; skips (or fails under CI) when it cannot start.
  static func ensureRunning() throws {
    if !checked {
      checked = true
      let status = try ChildProcess.run(["/bin/bash", script, "status"], in: "/")
      if status.status != 0 {
        let start = try ChildProcess.run(["/bin/bash", script, "start"], in: "/")
        if start.status == 0 { startedHere = true } else { failure = start.err + start.out }
      }
    }
    guard let failure else { return }
    let message = "SLURM TESTS NOT RUN: scripts/slurm-local.sh start failed:\n\(failure)"
    let env = ProcessInfo.processInfo.environment
    if env["CI"] != nil || env["LETHE_REQUIRE_SLURM"] == "1" {
      XCTFail(message)
      throw XCTSkip("failed above")
    }
    FileHandle.standardError.write(Data(("\n*** " + message + "\n").utf8))
    throw XCTSkip(message)
  }

  /// Stops the cluster when these tests started it (`make test` leaves no daemon running).
  static func stopIfStarted() {
    guard startedHere else { return }
    startedHere = false
    _ = try? ChildProcess.run(["/bin/bash", script, "stop"], in: "/")
  }
}
