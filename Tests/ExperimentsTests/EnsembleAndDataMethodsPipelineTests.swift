import Core
import Foundation
import Methods
import ToyProblems
import XCTest

@testable import Experiments

/// SISA, unlearnable and bad_teacher through the real pipeline: the ensemble M0 is cached,
/// measured and reported like any model; a method that cannot apply fails its run and the sweep
/// goes on.
final class EnsembleAndDataMethodsPipelineTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  let training = NamedSpec("default", ["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)])

  func sweep(_ schedule: Schedule, catalog: ExperimentCatalog, cache: String, results: String) throws
    -> (ExperimentRunner.Summary, [RunRecord], [String])
  {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    var log: [String] = []
    let pipeline = RunPipeline(
      catalog: catalog, registry: registry, cache: ModelCache(directory: cache),
      scheduledMethods: schedule.methods.map(\.name), log: { log.append($0) })
    let summary = try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(try schedule.runs(resolveMethod: registry.resolve))
    return (summary, try ResultsFile(path: results).read().records, log)
  }

  func testSISAEnsembleIsPreparedCachedAndMeasuredAndUnlearnableFailsOnFeatures() throws {
    let sisa = NamedSpec("sisa", ["shards": .number(4), "slices": .number(2)])
    let schedule = Schedule(
      datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")], trainings: [training],
      scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])],
      methods: [NamedSpec("finetune"), sisa, NamedSpec("unlearnable"), NamedSpec("bad_teacher")], seeds: [0])
    let cache = Fixtures.temporaryPath("cache"), results = Fixtures.temporaryPath("results.jsonl")
    let (summary, records, log) = try sweep(schedule, catalog: Fixtures.toyCatalog(), cache: cache, results: results)
    XCTAssertEqual(summary.completed, 3)
    XCTAssertEqual(summary.failed, 1)
    let failed = try XCTUnwrap(records.first { $0.status == .failed })
    XCTAssertEqual(failed.identity.method.name, "unlearnable")
    XCTAssertTrue(failed.error?.contains("not [channels, height, width]") ?? false, failed.error ?? "")
    for r in records where r.status == .ok {
      XCTAssertEqual(Set(r.metrics.keys), Set(MetricName.allCases.map(\.rawValue)), r.identity.method.name)
      XCTAssertTrue(r.metrics.values.allSatisfy(\.isFinite), "\(r.identity.method.name): \(r.metrics)")
    }

    let run = try XCTUnwrap(records.first { $0.identity.method.name == "sisa" })
    XCTAssertEqual(run.notes["m0"], "own M0 (sisa shards=4 slices=2 aggregation=vote)")
    let retrained = try XCTUnwrap(run.notes["retrained"]).components(separatedBy: ", ")
    XCTAssertEqual(run.notes["shards_retrained"], "\(retrained.count) of 4", "12 forget samples over 4 shards")
    XCTAssertTrue(retrained.allSatisfy { $0.hasPrefix("shard") && $0.contains(" from slice") }, "\(retrained)")
    XCTAssertTrue(run.notes["checkpoints"]?.hasPrefix("8 (S·R)") ?? false, "\(run.notes)")
    // Training the ensemble is SISA's preparation; the shared M0 is another model.
    XCTAssertGreaterThan(run.timings.prepareSeconds, 0)
    XCTAssertEqual(run.timings.prepareSeconds, run.timings.trainSeconds)
    XCTAssertGreaterThan(run.metrics["acc_test"] ?? 0, 80)
    XCTAssertGreaterThan(run.metrics["dist_para"] ?? 0, 0)
    XCTAssertEqual(log.filter { $0.hasPrefix("training M0") }.count, 2, "the shared M0 and SISA's ensemble")
    XCTAssertEqual(log.filter { $0.hasPrefix("training M_retrain") }.count, 1, "one plain M_retrain for all")

    // The cached ensemble holds every shard under its prefix and loads strictly.
    let identity = try XCTUnwrap(try schedule.runs(resolveMethod: MethodRegistry.shared.resolve)
      .first { $0.method.name == "sisa" })
    let key = identity.originalModelKey(classes: nil, change: "sisa shards=4 slices=2 aggregation=vote")
    let path = ModelCache(directory: cache).path("m0", key)
    let names = try SafeTensors.read(URL(fileURLWithPath: path)).names
    XCTAssertEqual(names, (0..<4).flatMap { ["shard\($0).0.weight", "shard\($0).0.bias"] })
    let observer = try XCTUnwrap(try SISAMethod().prepare(options: MethodOptions(
      values: try MethodRegistry.shared.resolve(sisa).options)))
    let template = try XCTUnwrap(try observer.shapedLearner(
      build: { try softmaxRegression(features: 4, classes: 3, seed: $0) }, seed: 0))
    try Checkpoint.load(into: template.checkpointParts, from: URL(fileURLWithPath: path), strict: true)

    // A second invocation finds every run recorded (the failure is retried, and fails again).
    let (again, _, relog) = try sweep(schedule, catalog: Fixtures.toyCatalog(), cache: cache, results: results)
    XCTAssertEqual(again.skipped, 3)
    XCTAssertEqual(again.failed, 1)
    XCTAssertFalse(relog.contains { $0.hasPrefix("training M0") }, "\(relog)")
    let report = try ReportWriter.write(resultsPath: results, directory: Fixtures.temporaryPath("report"))
    XCTAssertEqual(report.table.rows.count, 3)
    XCTAssertTrue(report.table.metricNames.contains("zrf"))
  }

  func testUnlearnableRunsOnImagesWithTheirNormalisation() throws {
    var catalog = ExperimentCatalog()
    catalog.datasets["images"] = { _ in
      let all = try toyImages(classes: 4, perClass: 50, seed: 5)
      return ExperimentCatalog.Splits(
        name: "images", train: try all.subset(Array(0..<160)), test: try all.subset(Array(160..<200)),
        normalization: all.normalization)
    }
    catalog.models["mlp"] = { _, shape, classes, seed in
      ModuleLearner(try Models.make("mlp", inputShape: shape, classes: classes, seed: seed), classCount: classes)
    }
    let schedule = Schedule(
      datasets: [NamedSpec("images")], models: [NamedSpec("mlp")], trainings: [training],
      scenarios: [NamedSpec("label", ["labels": .string("1")])], methods: [NamedSpec("unlearnable")], seeds: [0])
    let (summary, records, _) = try sweep(
      schedule, catalog: catalog, cache: Fixtures.temporaryPath("cache"), results: Fixtures.temporaryPath("r.jsonl"))
    XCTAssertEqual(summary.completed, 1, "\(records.compactMap(\.error))")
    let notes = try XCTUnwrap(records.first?.notes)
    XCTAssertEqual(notes["noise_linf"], "8.00/255")
    XCTAssertNotNil(notes["noise_rounds"])
    XCTAssertLessThan(records.first?.metrics["speedup"] ?? 9, 1, "the noise search comes on top of a retraining")
  }
}
