import Core
import Foundation
import Methods
import ToyProblems
import XCTest

@testable import Experiments

final class RunPipelineTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func schedule(_ methods: [String], scenarios: [NamedSpec]) -> Schedule {
    Schedule(
      datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
      trainings: [NamedSpec("default", ["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)])],
      scenarios: scenarios, methods: methods.map { NamedSpec($0) }, seeds: [0, 1])
  }

  func testEndToEndSweepCachesModelsAndRetrainMatchesReference() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    try registry.register(CheckpointRewindMethod())
    let methods = ["retrain", "finetune", "neggrad", "checkpoint_rewind"]
    let s = schedule(methods, scenarios: [NamedSpec("sample", ["fraction": .number(0.1)]),
      NamedSpec("label", ["labels": .string("1")])])
    try Fixtures.toyCatalog().validate(s)
    let runs = try s.runs(resolveMethod: registry.resolve)
    XCTAssertEqual(runs.count, 16)
    let cacheDir = Fixtures.temporaryPath("cache")
    let results = Fixtures.temporaryPath("results.jsonl")
    var log: [String] = []
    let pipeline = RunPipeline(
      catalog: Fixtures.toyCatalog(), registry: registry, cache: ModelCache(directory: cacheDir),
      scheduledMethods: methods, log: { log.append($0) })
    let summary = try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(runs)
    XCTAssertEqual(summary.completed, 16, "\((try? ResultsFile(path: results).read().records.compactMap(\.error)) ?? [])")
    XCTAssertEqual(log.filter { $0.hasPrefix("training M0") }.count, 2, "one M0 per seed")
    XCTAssertEqual(log.filter { $0.hasPrefix("training M_retrain") }.count, 4, "one per scenario and seed")

    let records = try ResultsFile(path: results).read().records
    for r in records {
      var expected = Set(MetricName.allCases.map(\.rawValue))
      // Restoring a stored checkpoint calls no model: no counted work, an unbounded ratio, noted.
      if r.identity.method.name == "checkpoint_rewind" {
        expected.remove("speedup_work")
        XCTAssertNotNil(r.notes["speedup_work"])
      }
      XCTAssertEqual(Set(r.metrics.keys), expected, r.identity.method.name)
      XCTAssertNotNil(r.scenarioDigest)
      XCTAssertEqual(r.timings.retrainSource, "cached", "timed in this process under these conditions")
      XCTAssertNotNil(r.build?.compiler)
      XCTAssertEqual(r.metricVariants?["mia_feature"], "entropy")
      let reference = try XCTUnwrap(r.reference)
      XCTAssertGreaterThan(reference["dist_para_m0"] ?? 0, 0, "M0 is not M_retrain")
      XCTAssertNotNil(reference["acc_test_retrain"])
    }
    for r in records where r.identity.method.name == "retrain" {
      // The retrain method reproduces M_retrain exactly: zero distances.
      XCTAssertEqual(r.metrics["dist_para"], 0, "\(r.identity.scenario)")
      XCTAssertEqual(r.metrics["dist_output"] ?? 1, 0, accuracy: 1e-9)
      XCTAssertEqual(r.metrics["speedup"], 1, "retrain is timed as M_retrain itself")
      XCTAssertEqual(r.metrics["speedup_work"], 1)
      XCTAssertEqual(r.metrics["acc_test"], r.reference?["acc_test_retrain"])
    }
    // Work is counted, not estimated: finetune's one epoch over D \ x* against retraining's three
    // over the same samples with the same model is exactly 3; every retained sample is one
    // sample gradient of retraining per epoch.
    for r in records where r.identity.method.name == "finetune" {
      let work = try XCTUnwrap(r.work)
      let retained = 120 - (r.forgetCount ?? 0)
      XCTAssertEqual(work.retrain.gradientSamples, 3 * retained)
      XCTAssertEqual(work.unlearn.gradientSamples, retained)
      XCTAssertEqual(r.metrics["speedup_work"] ?? 0, 3, accuracy: 1e-12)
      XCTAssertEqual(work.unlearnSampleGradients ?? 0, Double(retained), accuracy: 1e-9)
    }
    let label = records.filter { $0.identity.scenario.name == "label" && $0.identity.method.name == "retrain" }
    XCTAssertEqual(label.first?.forgetCount, 40)
    // Never trained on label 1, M_retrain gets few of its samples right (M0 gets nearly all).
    XCTAssertLessThan(label.first?.metrics["acc_deleted"] ?? 100, 50)
    let rewind = records.filter { $0.identity.method.name == "checkpoint_rewind" }
    XCTAssertTrue(rewind.allSatisfy { $0.timings.prepareSeconds > 0 }, "prepare time recorded")

    // Run for real (epochs given explicitly, so nothing is reused), retrain still lands on M_retrain.
    let explicit = Schedule(
      datasets: s.datasets, models: s.models, trainings: s.trainings, scenarios: [s.scenarios[0]],
      methods: [NamedSpec("retrain", ["epochs": .number(3)])], seeds: [0])
    try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1, progress: { _ in })
      .run(try explicit.runs(resolveMethod: registry.resolve))
    let real = try XCTUnwrap(try ResultsFile(path: results).read().records.last)
    XCTAssertEqual(real.identity.method.canonical, "retrain(epochs=3)")
    XCTAssertEqual(real.metrics["dist_para"], 0)
    XCTAssertNil(real.notes["model"])

    // A second invocation reuses the cached M0 and M_retrain and records nothing twice.
    var second: [String] = []
    let again = RunPipeline(
      catalog: Fixtures.toyCatalog(), registry: registry, cache: ModelCache(directory: cacheDir),
      scheduledMethods: methods, log: { second.append($0) })
    let newRuns = try schedule(["neggrad+"] + methods, scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])])
      .runs(resolveMethod: registry.resolve)
    let s2 = try ExperimentRunner(executor: again, results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(newRuns)
    XCTAssertEqual(s2.skipped, 8)
    XCTAssertEqual(s2.completed, 2)
    XCTAssertFalse(second.contains { $0.hasPrefix("training") }, "\(second)")
    XCTAssertTrue(second.contains { $0.contains("loaded from cache") })
  }

  /// A cached M_retrain timed with another thread count is re-timed (once) before a speedup
  /// uses its time; the models themselves are not retrained for the metrics, which stay equal.
  func testRetrainingTimedUnderOtherConditionsIsRetimedOnce() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    let methods = ["finetune", "neggrad"]
    let runs = try schedule(methods, scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])])
      .runs(resolveMethod: registry.resolve)
    let cacheDir = Fixtures.temporaryPath("cache")
    func sweep(threads: Int) throws -> (records: [RunRecord], log: [String]) {
      var log: [String] = []
      let results = Fixtures.temporaryPath("results.jsonl")
      let pipeline = RunPipeline(
        catalog: Fixtures.toyCatalog(), registry: registry, cache: ModelCache(directory: cacheDir),
        scheduledMethods: methods, threads: threads, log: { log.append($0) })
      try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: threads,
        progress: { _ in }).run(runs)
      return (try ResultsFile(path: results).read().records, log)
    }
    let first = try sweep(threads: 3)
    XCTAssertTrue(first.records.allSatisfy { $0.timings.retrainSource == "cached" })
    let second = try sweep(threads: 1)
    XCTAssertEqual(second.log.filter { $0.hasPrefix("re-timing M_retrain") }.count, 2, "once per seed's M_retrain")
    XCTAssertTrue(second.log.contains { $0.contains("3 threads vs 1") }, "\(second.log)")
    XCTAssertTrue(second.records.allSatisfy { $0.timings.retrainSource == "re-timed" })
    XCTAssertFalse(second.log.contains { $0.hasPrefix("training M") }, "the cached models are the references")
    for (a, b) in zip(first.records, second.records) {
      XCTAssertEqual(a.key, b.key)
      XCTAssertEqual(a.metrics["acc_test"], b.metrics["acc_test"])
      XCTAssertEqual(a.metrics["speedup_work"], b.metrics["speedup_work"], "counted work does not depend on threads")
      XCTAssertNotNil(b.timings.unlearnLoad)
    }
  }

  /// A `prepare` that throws fails that method's runs with its message (it is not dropped); the
  /// other methods' runs, which share the M0 it could not watch, still run.
  func testThrowingPrepareFailsTheRunWithItsMessage() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    try registry.register(ScriptedMethod(
      descriptor: MethodDescriptor(name: "shardless", summary: "prepare always throws", options: []),
      prepare: { _ in throw MethodError.failed(method: "shardless", message: "no GPU for the shards") },
      unlearn: { UnlearningResult(model: $0.model) }))
    let methods = ["finetune", "shardless"]
    let runs = try schedule(methods, scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])])
      .runs(resolveMethod: registry.resolve)
    let results = Fixtures.temporaryPath("results.jsonl")
    var log: [String] = []
    let pipeline = RunPipeline(
      catalog: Fixtures.toyCatalog(), registry: registry, cache: nil, scheduledMethods: methods,
      log: { log.append($0) })
    let summary = try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(runs)
    XCTAssertEqual(summary.completed, 2, "finetune's runs")
    XCTAssertEqual(summary.failed, 2, "shardless's runs")
    for r in try ResultsFile(path: results).read().records where r.identity.method.name == "shardless" {
      XCTAssertEqual(r.status, .failed)
      XCTAssertNotNil(r.scenarioDigest, "a failed record says which scenario it failed on")
      XCTAssertEqual(r.forgetCount, 12)
      let error = r.error ?? ""
      XCTAssertEqual(error, "method 'shardless' failed: prepare: no GPU for the shards")
    }
    XCTAssertTrue(log.contains { $0.contains("shardless: prepare failed") }, "\(log)")
  }

  func testUnknownNamesListTheValidOnes() throws {
    let c = Fixtures.toyCatalog()
    let bad = Schedule(datasets: [NamedSpec("cifar99")], models: [NamedSpec("softmax")],
      scenarios: [NamedSpec("sample")], methods: [NamedSpec("retrain")])
    XCTAssertThrowsError(try c.validate(bad)) {
      XCTAssertEqual("\($0)", "unknown dataset 'cifar99'; valid datasets: blobs")
    }
    let badModel = Schedule(datasets: [NamedSpec("blobs")], models: [NamedSpec("vit")],
      scenarios: [NamedSpec("sample")], methods: [NamedSpec("retrain")])
    XCTAssertThrowsError(try c.validate(badModel)) { XCTAssertTrue("\($0)".contains("valid models: softmax")) }
    let badScenario = Schedule(datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
      scenarios: [NamedSpec("shard")], methods: [NamedSpec("retrain")])
    XCTAssertThrowsError(try c.validate(badScenario)) { XCTAssertTrue("\($0)".contains("valid scenarios: label, label_count, sample")) }
    let badOption = Schedule(datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
      scenarios: [NamedSpec("sample", ["ratio": .number(0.1)])], methods: [NamedSpec("retrain")])
    XCTAssertThrowsError(try c.validate(badOption)) {
      XCTAssertEqual("\($0)", "scenario 'sample': unknown option 'ratio'; valid options: fraction")
    }
    XCTAssertThrowsError(try MetricOptions.from(["dist_output": .string("cosine")])) {
      XCTAssertTrue("\($0)".contains("l2, js"))
    }
  }

  func testModelCacheRoundTripsAndIgnoresTruncatedFiles() throws {
    let cache = ModelCache(directory: Fixtures.temporaryPath("cache"))
    var rng = RandomGenerator(seed: 5)
    // A block with batch-norm buffers (running statistics, an integer counter).
    let model = ModuleLearner(try BasicBlock(2, 2, stride: 1, rng: &rng), classCount: 2)
    let initial = model.stateVector()
    let state = initial.enumerated().map { Float($0.offset % 7) - 0.5 * $0.element }
    var artifacts = PreparedArtifacts()
    artifacts.store([1, 2, 3], method: "m", name: "epoch.1")
    artifacts.notes["m"] = ["k": "v"]
    artifacts.seconds["m"] = 0.5
    let entry = ModelCache.Entry(state: state, initialState: initial, seconds: 2, artifacts: artifacts,
      preparedMethods: ["m"])
    let metadata = CheckpointMetadata(
      model: "block", modelOptions: ["hidden": "2"], dataset: "blobs",
      normalization: Normalization(mean: [0.25, 0.5], std: [0.5, 2]))
    try cache.store(entry, "m0", "abc", model: model, metadata: metadata)
    XCTAssertEqual(model.stateVector(), initial, "storing leaves the template unchanged")
    XCTAssertEqual(cache.load("m0", "abc", model: model), entry)
    let path = cache.path("m0", "abc")
    XCTAssertTrue(path.hasSuffix(".safetensors"))
    // A plain PyTorch-named checkpoint: Core's Checkpoint loads it strictly into a fresh model
    // (as `model.load_state_dict(safetensors.torch.load_file(path))` does in PyTorch).
    let fresh = ModuleLearner(try BasicBlock(2, 2, stride: 1, rng: &rng), classCount: 2)
    try Checkpoint.load(into: fresh.module, from: URL(fileURLWithPath: path), strict: true)
    XCTAssertEqual(fresh.stateVector(), state)
    let file = try SafeTensors.read(path: path)
    XCTAssertEqual(file.names, Checkpoint.tensors(of: model.module).map(\.0), "the model's tensors and no other")
    // It describes itself: format, version, model and options, dataset, input normalisation.
    for key in ["format", "lethe_version", "model", "model_options", "dataset", "normalization_mean", "normalization_std"] {
      XCTAssertNotNil(file.metadata[key], key)
    }
    XCTAssertEqual(file.metadata["format"], "pt")
    XCTAssertEqual(file.metadata["lethe_version"], LetheVersion.current)
    let described = CheckpointMetadata(fields: file.metadata)
    XCTAssertEqual(described.model, "block")
    XCTAssertEqual(described.modelOptions, ["hidden": "2"])
    XCTAssertEqual(described.dataset, "blobs")
    XCTAssertEqual(described.normalization, Normalization(mean: [0.25, 0.5], std: [0.5, 2]))

    // Another architecture, a truncated file, a missing key and a missing or foreign companion are
    // all absent entries.
    XCTAssertNil(cache.load("m0", "abc", model: try softmaxRegression(features: 4, classes: 3, seed: 1)))
    try cache.store(entry, "m0", "other", model: model)
    let companion = try XCTUnwrap(FileManager.default.contents(atPath: cache.companionPath("m0", "abc")))
    try FileManager.default.copyItem(atPath: cache.companionPath("m0", "other"), toPath: path + ".foreign")
    try FileManager.default.removeItem(atPath: cache.companionPath("m0", "abc"))
    XCTAssertNil(cache.load("m0", "abc", model: model), "no companion")
    try FileManager.default.moveItem(atPath: path + ".foreign", toPath: cache.companionPath("m0", "abc"))
    XCTAssertNil(cache.load("m0", "abc", model: model), "another entry's companion")
    try companion.write(to: URL(fileURLWithPath: cache.companionPath("m0", "abc")))
    XCTAssertEqual(cache.load("m0", "abc", model: model), entry)
    let data = try XCTUnwrap(FileManager.default.contents(atPath: path))
    try data.prefix(data.count - 3).write(to: URL(fileURLWithPath: path))
    XCTAssertNil(cache.load("m0", "abc", model: model))
    XCTAssertNil(cache.load("m0", "missing", model: model))
  }
}
