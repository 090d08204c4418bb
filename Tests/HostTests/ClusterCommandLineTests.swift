import Foundation
import XCTest

/// `lethe plan | run --shard | status | merge | submit --dry-run`, through the real executable
/// and several processes at once (no scheduler needed).
final class ClusterCommandLineTests: XCTestCase {
  var lethe: String!
  var dir: String!
  /// GEMM backend pinned: without it each process picks the faster backend on a short timing, and
  /// the two backends sum in different orders (see docs/cluster.md, reproducibility).
  let environment = ["LETHE_GEMM": "swift"]

  override func setUpWithError() throws {
    lethe = try ChildProcess.lethe()
    dir = NSTemporaryDirectory() + "lethe-cluster-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let dir { try? FileManager.default.removeItem(atPath: dir) }
  }

  /// 16 runs: purchase-synthetic's MLP, two scenarios (one keeps 2 classes: an M0 of its own),
  /// three built-in methods and a Lua method that waits `arg[2]` seconds, two seeds. 8 models.
  func writeSchedule(methods: String = "\"finetune\", \"neggrad\", \"retrain\", \"slow_noop\"") throws -> String {
    let path = dir + "/schedule.lua"
    try """
    local lethe = require "lethe"
    local out, delay = arg[1] or "out", tonumber(arg[2] or "0")
    lethe.method{name = "slow_noop", summary = "waits, changes nothing",
      unlearn = function(ctx) local t = os.clock() while os.clock() - t < delay do end end}
    lethe.method{name = "broken", summary = "always fails", unlearn = function(ctx) error("broken on purpose") end}
    local outcome = lethe.experiment.run{
      datasets = {{"purchase-synthetic", classes = 3, train_count = 120, test_count = 60}},
      models = {{"mlp", hidden = 8}}, training = {epochs = 1, batch_size = 32},
      scenarios = {{"sample", fraction = 0.1}, {"label_count", classes = 2}},
      methods = {\(methods)},
      seeds = {0, 1},
      results = out .. "/results.jsonl", cache = out .. "/cache", report = out .. "/report",
    }
    print(outcome.completed .. " done; report in " .. outcome.report)
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func lethe(_ arguments: [String]) throws -> ChildProcess.Result {
    try ChildProcess.run([lethe] + arguments, in: dir, environment: environment)
  }

  func testPlanListsRunsAndModelsWithIdentifiersAndTrainsNothing() throws {
    let schedule = try writeSchedule()
    let plan = try lethe(["plan", "--json", schedule, "--", "out"])
    XCTAssertEqual(plan.status, 0, plan.err)
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [String: Any])
    let sweeps = try XCTUnwrap(json["sweeps"] as? [[String: Any]])
    XCTAssertEqual(sweeps.count, 1)
    let runs = try XCTUnwrap(sweeps[0]["runs"] as? [[String: Any]])
    let models = try XCTUnwrap(sweeps[0]["models"] as? [[String: Any]])
    XCTAssertEqual(runs.count, 16)
    XCTAssertEqual(models.count, 8, "per seed: the shared M0, the 2-class M0 and one M_retrain per scenario")
    XCTAssertEqual(Set(runs.compactMap { $0["id"] as? String }).count, 16)
    XCTAssertEqual(sweeps[0]["results"] as? String, "out/results.jsonl")
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"), "planning writes nothing")

    let text = try lethe(["plan", "--shards", "3", schedule, "--", "out"])
    XCTAssertEqual(text.status, 0, text.err)
    XCTAssertTrue(text.out.hasPrefix("sweep 1: 16 runs, 8 models, about "), text.out)
    XCTAssertTrue(text.out.contains("  3/3: "), text.out)
    for run in runs { XCTAssertTrue(text.out.contains(run["id"] as! String)) }
    XCTAssertFalse(text.out.contains("done; report in"), "the script's own printing is not the plan")
  }

  /// Two model shares and three run shares, each its own process, all at once; merged, they equal
  /// a single-process run of the schedule metric by metric.
  func testSharesRunInParallelEqualOneProcessRun() throws {
    let schedule = try writeSchedule()
    let models = try (1...2).map {
      try ChildProcess.start([lethe, "run", schedule, "out", "--stage", "models", "--shard", "\($0)/2"], in: dir,
        environment: environment)
    }.map(ChildProcess.finish)
    for m in models { XCTAssertEqual(m.status, 0, m.err) }
    let trained = models.flatMap { $0.out.split(separator: "\n") }.filter { $0.hasPrefix("training ") }
    XCTAssertEqual(trained.count, 8, "every model once: \(trained)")
    let runs = try (1...3).map {
      try ChildProcess.start([lethe, "run", "--shard", "\($0)/3", schedule, "out"], in: dir, environment: environment)
    }.map(ChildProcess.finish)
    for r in runs {
      XCTAssertEqual(r.status, 0, r.err)
      XCTAssertFalse(r.out.contains("training "), "the models were cached: \(r.out)")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/out/results.parts").count, 3)
    let status = try lethe(["status", schedule, "--", "out"])
    XCTAssertTrue(status.out.contains("16 runs: 16 done, 0 running, 0 failed, 0 missing (16 records in"), status.out)
    let merge = try lethe(["merge", schedule, "--", "out"])
    XCTAssertEqual(merge.status, 0, merge.err)
    XCTAssertTrue(merge.out.contains("merged 16 records from 3 part files"), merge.out)
    XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out/report/results.md"))

    let single = try lethe(["run", "--quiet", schedule, "single"])
    XCTAssertEqual(single.status, 0, single.err)
    let keys = resultRecords(dir + "/out/results.jsonl").compactMap { $0["key"] as? String }
    XCTAssertEqual(keys.count, 16)
    XCTAssertEqual(Set(keys).count, 16, "no run recorded twice")
    XCTAssertEqual(metricDifferences(dir + "/out/results.jsonl", dir + "/single/results.jsonl"), [])
  }

  /// Two whole sweeps started at once on one results file share the work: 16 records, not 32,
  /// and each model trained by one of them (the other waits for it and loads it).
  func testTwoSweepsAtOnceOnOneResultsFileRunEachRunOnce() throws {
    let schedule = try writeSchedule()
    let children = try (0..<2).map { _ in
      try ChildProcess.start([lethe, "run", schedule, "out", "0.2"], in: dir, environment: environment)
    }.map(ChildProcess.finish)
    for c in children { XCTAssertEqual(c.status, 0, c.err) }
    let records = resultRecords(dir + "/out/results.jsonl")
    XCTAssertEqual(records.count, 16)
    XCTAssertEqual(Set(records.compactMap { $0["key"] as? String }).count, 16)
    let trainedM0 = children.flatMap { $0.out.split(separator: "\n") }.filter { $0.hasPrefix("training M0") }
    XCTAssertEqual(trainedM0.count, 4, "two seeds × (shared, 2-class): \(trainedM0)")
    let done = children.map { $0.out.split(separator: "\n").filter { $0.hasSuffix(": done") }.count }
    XCTAssertEqual(done.reduce(0, +), 16)
  }

  func testStatusCountsDoneFailedAndMissingRuns() throws {
    let schedule = try writeSchedule(methods: "\"finetune\", \"broken\"")
    let half = try lethe(["run", "--quiet", "--shard", "1/2", schedule, "out"])
    XCTAssertEqual(half.status, 0, half.err)
    let recorded = resultRecords(dir + "/out/results.parts/" + (try FileManager.default
      .contentsOfDirectory(atPath: dir + "/out/results.parts")[0]))
    let failed = recorded.filter { $0["status"] as? String == "failed" }.count
    let ok = recorded.count - failed
    XCTAssertEqual(recorded.count, 4, "half of 8 runs, equal costs")
    let status = try lethe(["status", schedule, "--", "out"])
    XCTAssertEqual(status.status, 0, status.err)
    XCTAssertTrue(
      status.out.contains("8 runs: \(ok) done, 0 running, \(failed) failed, 4 missing"), status.out)
    if failed > 0 { XCTAssertTrue(status.out.contains("broken on purpose"), status.out) }
  }

  func testBadRequestsAreClearErrors() throws {
    let schedule = try writeSchedule()
    let unknown = try lethe(["run", schedule, "out", "--runs", "0123456789abcdef"])
    XCTAssertEqual(unknown.status, 1)
    XCTAssertTrue(unknown.err.contains("has the identifier 0123456789abcdef (`lethe plan"), unknown.err)
    let shard = try lethe(["run", "--shard", "3/2", schedule])
    XCTAssertEqual(shard.status, 2)
    XCTAssertTrue(shard.err.contains("1 ≤ I ≤ N"), shard.err)
    let both = try lethe(["run", schedule, "--runs", "a", "--models", "b"])
    XCTAssertEqual(both.status, 2, both.err)
    try "print('hello')".write(toFile: dir + "/hello.lua", atomically: true, encoding: .utf8)
    let notSchedule = try lethe(["plan", dir + "/hello.lua"])
    XCTAssertEqual(notSchedule.status, 1)
    XCTAssertTrue(notSchedule.err.contains("never called lethe.experiment.run"), notSchedule.err)
    let shareOfNothing = try lethe(["run", dir + "/hello.lua", "--shard", "1/2"])
    XCTAssertEqual(shareOfNothing.status, 1)
    let noScheduler = try lethe(["submit", schedule])
    XCTAssertEqual(noScheduler.status, 2)
    XCTAssertTrue(noScheduler.err.contains("--slurm"), noScheduler.err)
    let badTime = try lethe(["submit", "--slurm", "--time", "2h", schedule])
    XCTAssertEqual(badTime.status, 2)
    XCTAssertTrue(badTime.err.contains("not a Slurm time"), badTime.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"), "nothing written on bad input")
  }

  func testSubmitDryRunWritesBothArraysAndSubmitsNothing() throws {
    let schedule = try writeSchedule()
    let jobs = dir + "/jobs"
    let dry = try lethe([
      "submit", "--slurm", "--dry-run", "--cpus-per-task", "1", "--tasks", "3", "--partition", "debug",
      "--mem", "1G", "--out", jobs, schedule, "--", "out",
    ])
    XCTAssertEqual(dry.status, 0, dry.err)
    XCTAssertTrue(dry.out.contains("16 runs, 0 done, 0 running, 16 to submit"), dry.out)
    XCTAssertTrue(dry.out.contains("sbatch --dependency=afterok:$MODELS_JOB"), dry.out)
    let models = try String(contentsOfFile: jobs + "/models.sbatch", encoding: .utf8)
    XCTAssertTrue(models.contains("#SBATCH --array=1-3\n"), models)
    XCTAssertTrue(models.contains("#SBATCH --partition=debug\n"), models)
    XCTAssertTrue(models.contains("--stage models --models \"$ids\" \(schedule) out\n"), models)
    let lists = try String(contentsOfFile: jobs + "/runs.txt", encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lists.count, 3)
    XCTAssertEqual(lists.flatMap { $0.split(separator: ",") }.count, 16)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out/results.parts"))
  }
}
