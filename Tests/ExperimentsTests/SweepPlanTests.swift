import Foundation
import Methods
import XCTest

@testable import Experiments

/// Planning a sweep for a cluster: run and model identifiers, the cost model, cost-balanced
/// shares, selections, and the sbatch scripts of a submission.
final class SweepPlanTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  /// fashion-mnist × cifar10, cnn × resnet18, a sample and a label-count scenario, two methods,
  /// two seeds: 32 runs. Planning loads no data (these datasets need not be present).
  func surveyLikePlan() throws -> SweepPlan {
    let plan = ExperimentPlan(
      schedule: Schedule(
        datasets: [NamedSpec("fashion-mnist"), NamedSpec("cifar10")],
        models: [NamedSpec("cnn"), NamedSpec("resnet18")],
        trainings: [NamedSpec("default", ["epochs": .number(2)])],
        scenarios: [NamedSpec("sample", ["fraction": .number(0.01)]), NamedSpec("label_count", ["classes": .number(4)])],
        methods: [NamedSpec("finetune"), NamedSpec("retrain")], seeds: [0, 1]),
      resultsPath: Fixtures.temporaryPath("r.jsonl"), cacheDirectory: Fixtures.temporaryPath("cache"),
      reportDirectory: nil, metrics: MetricOptions(), metricsGiven: [:])
    return try SweepPlan.make(plan, catalog: .standard(), registry: .shared)
  }

  func testPlanNamesEachModelOnceAndEveryRunItsTwoModels() throws {
    let sweep = try surveyLikePlan()
    XCTAssertEqual(sweep.runs.count, 2 * 2 * 2 * 2 * 2)
    XCTAssertEqual(Set(sweep.runs.map(\.key)).count, sweep.runs.count)
    // Per (dataset, model, seed): the shared M0, the label-count M0 (its own classes), and one
    // M_retrain per scenario.
    XCTAssertEqual(sweep.models.count, 2 * 2 * 2 * 4)
    XCTAssertEqual(Set(sweep.models.map(\.id)).count, sweep.models.count)
    XCTAssertEqual(sweep.models.filter { $0.kind == .original }.count, 16)
    let ids = Set(sweep.models.map(\.id))
    for run in sweep.runs {
      XCTAssertEqual(run.models.count, 2)
      XCTAssertTrue(run.models.allSatisfy(ids.contains), "\(run.models)")
    }
    // Runs that share dataset, model, training and seed share M0 unless the scenario keeps classes.
    let sample = sweep.runs.filter { $0.identity.scenario.name == "sample" && $0.identity.seed == 0 }
    XCTAssertEqual(Set(sample.filter { $0.identity.model.name == "cnn" && $0.identity.dataset.name == "cifar10" }
      .map { $0.models[0] }).count, 1)
    // Planning twice gives the same identifiers (tasks of a job array plan independently).
    XCTAssertEqual(try surveyLikePlan().models.map(\.id), sweep.models.map(\.id))
  }

  func testCostModelWeighsResNetOnCIFARFarAboveTheCNNOnFashionMNIST() throws {
    let sweep = try surveyLikePlan()
    func cost(_ dataset: String, _ model: String, _ method: String) throws -> Double {
      try XCTUnwrap(sweep.runs.first {
        $0.identity.dataset.name == dataset && $0.identity.model.name == model && $0.identity.method.name == method
      }).cost
    }
    let resnet = try cost("cifar10", "resnet18", "finetune"), cnn = try cost("fashion-mnist", "cnn", "finetune")
    XCTAssertGreaterThan(resnet / cnn, 20, "resnet \(resnet) core-s, cnn \(cnn) core-s")
    XCTAssertLessThan(try cost("fashion-mnist", "cnn", "retrain"), cnn, "retrain reuses M_retrain: evaluation only")
    let m0 = try XCTUnwrap(sweep.models.first { $0.kind == .original && $0.run.model.name == "cnn"
      && $0.run.dataset.name == "fashion-mnist" })
    XCTAssertEqual(m0.cost, 2 * 60_000 * CostModel.measured.rate(NamedSpec("cnn"), on: NamedSpec("fashion-mnist")),
      accuracy: 1e-6, "epochs × samples × rate")
  }

  func testMethodThatChangesTrainingGetsAnM0OfItsOwn() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    try registry.register(StdShapedMethod())
    let plan = ExperimentPlan(
      schedule: Schedule(
        datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
        scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])],
        methods: [NamedSpec("finetune"), NamedSpec("std_shaped"), NamedSpec("neggrad")], seeds: [0]),
      resultsPath: Fixtures.temporaryPath("r.jsonl"), cacheDirectory: Fixtures.temporaryPath("c"),
      reportDirectory: nil, metrics: MetricOptions(), metricsGiven: [:])
    let sweep = try SweepPlan.make(plan, catalog: Fixtures.toyCatalog(), registry: registry)
    XCTAssertEqual(sweep.models.filter { $0.kind == .original }.count, 2)
    XCTAssertEqual(sweep.models.filter { $0.kind == .retrain }.count, 1, "M_retrain does not depend on the change")
    let own = try XCTUnwrap(sweep.runs.first { $0.identity.method.name == "std_shaped" })
    let shared = try XCTUnwrap(sweep.runs.first { $0.identity.method.name == "finetune" })
    XCTAssertNotEqual(own.models[0], shared.models[0])
    XCTAssertEqual(own.models[1], shared.models[1])
    XCTAssertEqual(sweep.runs.first { $0.identity.method.name == "neggrad" }?.models, shared.models)
  }

  func testSharesCoverEveryItemOnceAndStayWithinOneItemOfTheAverage() throws {
    var g = SystemRandomNumberGenerator()
    for trial in 0..<50 {
      let n = 1 + trial % 37, k = 1 + trial % 7
      let costs = (0..<n).map { _ in Double.random(in: 0.1...100, using: &g) * (Bool.random(using: &g) ? 50 : 1) }
      let shares = Shards.assign(costs: costs, count: k)
      XCTAssertEqual(shares.count, k)
      XCTAssertEqual(shares.flatMap { $0 }.sorted(), Array(0..<n), "every item exactly once")
      let totals = shares.map { $0.reduce(0) { $0 + costs[$1] } }
      let average = costs.reduce(0, +) / Double(k)
      XCTAssertLessThanOrEqual(totals.max()!, average + costs.max()! + 1e-9, "LPT bound")
      XCTAssertEqual(Shards.assign(costs: costs, count: k), shares, "deterministic")
    }
    // One dear item and many cheap ones: the dear one alone, the cheap ones spread.
    let shares = Shards.assign(costs: [100] + Array(repeating: 1, count: 20), count: 3)
    XCTAssertEqual(shares[0], [0])
    XCTAssertEqual(shares[1].count, 10)
    XCTAssertEqual(shares[2].count, 10)
  }

  func testShardAndSelectionParsing() throws {
    XCTAssertEqual(try Shard(parsing: "2/8"), try Shard(index: 2, count: 8))
    for bad in ["0/3", "4/3", "a/b", "3", "1/0", "/2"] {
      XCTAssertThrowsError(try Shard(parsing: bad), bad)
    }
    let items = ["3fa2aa", "3fb0bb", "9c1d00"]
    let pick = try SweepSelection(ids: ["3fb", "9c1d00", "zz"]).pick(items, id: { $0 }, cost: { _ in 1 })
    XCTAssertEqual(pick.chosen, ["3fb0bb", "9c1d00"])
    XCTAssertEqual(pick.matched, ["3fb", "9c1d00"])
    XCTAssertThrowsError(try SweepSelection(ids: ["3f"]).pick(items, id: { $0 }, cost: { _ in 1 })) {
      XCTAssertTrue("\($0)".contains("names 2 runs"), "\($0)")
    }
    let halves = try (1...2).map { try SweepSelection(shard: Shard(index: $0, count: 2)).pick(items, id: { $0 }, cost: { _ in 1 }).chosen }
    XCTAssertEqual(Set(halves.flatMap { $0 }), Set(items))
  }

  func testSubmissionSplitsOnlyThePendingWorkIntoTwoArrays() throws {
    let sweep = try surveyLikePlan()
    XCTAssertEqual(try SweepStatus.of(sweep).pending.count, 32, "nothing recorded: every run pending")
    // Only the cifar10/resnet18 runs of seed 1 are left: 4 runs needing 4 models.
    let pending = Set(sweep.runs.filter {
      $0.identity.dataset.name == "cifar10" && $0.identity.model.name == "resnet18" && $0.identity.seed == 1
    }.map(\.key))
    var options = SlurmOptions()
    options.tasks = 3
    options.cpusPerTask = 8
    options.arrayLimit = 2
    options.partition = "gpu-less"
    options.memory = "16G"
    options.extra = ["--constraint=avx512"]
    let folder = Fixtures.temporaryPath("slurm")
    let s = try SlurmSubmission.make(
      sweeps: [sweep], pending: pending, schedule: "/home/u/my sweep.lua", arguments: ["out dir", "it's"],
      lethe: "/opt/lethe/bin/lethe", workingDirectory: "/home/u", folder: folder, options: options)
    XCTAssertEqual(s.pendingRuns, 4)
    let models = try XCTUnwrap(s.models), runs = try XCTUnwrap(s.runs)
    XCTAssertEqual(models.tasks.count, 3)
    XCTAssertEqual(models.tasks.flatMap { $0 }.count, 4, "each model once")
    XCTAssertEqual(Set(models.tasks.flatMap { $0 }).count, 4)
    XCTAssertEqual(Set(runs.tasks.flatMap { $0 }), pending)
    XCTAssertTrue(models.script.contains("#SBATCH --array=1-3%2\n"), models.script)
    for line in ["#SBATCH --cpus-per-task=8", "#SBATCH --partition=gpu-less", "#SBATCH --mem=16G",
      "#SBATCH --constraint=avx512", "#SBATCH --chdir=/home/u", "#SBATCH --output=\(folder)/logs/runs-%A_%a.out"]
    {
      XCTAssertTrue(runs.script.contains(line + "\n"), line)
    }
    XCTAssertTrue(models.script.contains(
      "exec /opt/lethe/bin/lethe run --threads \"${SLURM_CPUS_PER_TASK:-8}\" --stage models --models \"$ids\" "
        + "'/home/u/my sweep.lua' 'out dir' 'it'\\''s'\n"), models.script)
    XCTAssertTrue(runs.script.contains("--runs \"$ids\""), runs.script)
    // The default time: twice the dearest task's core-seconds over the CPUs, plus ten minutes.
    let dearest = runs.tasks.map { $0.reduce(0.0) { t, k in t + sweep.runs.first { $0.key == k }!.cost } }.max()!
    XCTAssertEqual(runs.time, SlurmOptions.slurmTime(seconds: 2 * dearest / 8 + 600))
    try s.write()
    let lines = try String(contentsOfFile: runs.listPath, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.count, runs.tasks.count)
    XCTAssertEqual(String(lines[0]), runs.tasks[0].joined(separator: ","))
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: runs.scriptPath))
    var calls: [String] = []
    let ids = try s.submit { script, after in
      calls.append("\(script) after \(after ?? "-")")
      return "\(calls.count + 100)"
    }
    XCTAssertEqual(ids.models, "101")
    XCTAssertEqual(ids.runs, "102")
    XCTAssertEqual(calls, ["\(models.scriptPath) after -", "\(runs.scriptPath) after 101"])

    let none = try SlurmSubmission.make(
      sweeps: [sweep], pending: [], schedule: "s.lua", arguments: [], lethe: "lethe", workingDirectory: "/",
      folder: folder, options: SlurmOptions())
    XCTAssertNil(none.runs)
    XCTAssertNil(none.models)
  }

  func testSlurmOptionsAreChecked() {
    for good in ["30", "30:00", "4:00:00", "1-12", "1-12:00", "2-00:00:00"] {
      XCTAssertTrue(SlurmOptions.isSlurmTime(good), good)
    }
    for bad in ["", "1h", "1-", "-1", "1:2:3:4", "a-1", "1--2"] {
      XCTAssertFalse(SlurmOptions.isSlurmTime(bad), bad)
    }
    XCTAssertEqual(SlurmOptions.slurmTime(seconds: 61), "00:02:00")
    XCTAssertEqual(SlurmOptions.slurmTime(seconds: 3 * 86400 + 3600), "3-01:00:00")
    var o = SlurmOptions()
    o.partition = "two words"
    XCTAssertThrowsError(try o.validate())
    o = SlurmOptions()
    o.extra = ["constraint=x"]
    XCTAssertThrowsError(try o.validate())
    o = SlurmOptions()
    o.cpusPerTask = 0
    XCTAssertThrowsError(try o.validate())
  }
}
