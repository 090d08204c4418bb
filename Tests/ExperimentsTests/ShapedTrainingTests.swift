import Core
import Foundation
import Methods
import ToyProblems
import XCTest

@testable import Experiments

/// A method that changes M0's training: it adds `weight` × the standard deviation of the logits
/// to every batch's loss (Unrolling SGD's regulariser) and records M0's final parameters, which
/// its `unlearn` returns unchanged — so a run's M_unlearn is exactly the method's own M0.
final class StdShapedMethod: UnlearningMethod {
  let descriptor = MethodDescriptor(
    name: "std_shaped", summary: "train M0 with a logit-std regulariser; unlearn = that M0",
    options: [OptionSpec("weight", .number, default: .number(1), doc: "regulariser weight")])

  final class Shaper: TrainingObserver {
    let weight: Float
    init(weight: Float) { self.weight = weight }
    var trainingChange: String? { "std_loss weight=\(weight)" }
    func configure(_ trainer: Trainer, learner: Learner) throws {
      let weight = self.weight
      trainer.loss = { logits, labels in
        try Functional.crossEntropy(logits, targets: labels) + weight * (try StdShapedMethod.std(logits))
      }
    }
    func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      artifacts.store(learner.stateVector(), method: "std_shaped", name: "final")
    }
  }

  /// The standard deviation of every element of `x` (population form).
  static func std(_ x: Variable) throws -> Variable {
    let centred = try x - (try x.mean()).broadcast(to: x.shape)
    return try (centred * centred).mean().sqrt()
  }

  func prepare(options: MethodOptions) throws -> TrainingObserver? {
    Shaper(weight: Float(try options.number("weight")))
  }

  func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    guard let final = context.artifacts.vector(method: "std_shaped", name: "final") else {
      throw MethodError.failed(method: "std_shaped", message: "no recorded M0")
    }
    XCTAssertEqual(context.model.stateVector(), final, "the context's model is the method's own M0")
    return UnlearningResult(model: context.model, notes: ["std": "\(try Self.logitStd(context.model))"])
  }

  /// The std of the model's logits over the first 60 training-like inputs.
  static func logitStd(_ learner: Learner) throws -> Double {
    let blobs = Blobs(perClass: 20, seed: 2)
    let logits = try learner.logits(inputs: try blobs.batch(at: Array(0..<60)).inputs)
    return Double(try std(Variable(logits)).value.storage[0])
  }
}

final class ShapedTrainingTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testMethodThatChangesTrainingGetsItsOwnCachedM0() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    try registry.register(CheckpointRewindMethod())
    try registry.register(StdShapedMethod())
    let methods = ["finetune", "checkpoint_rewind", "std_shaped"]
    let schedule = Schedule(
      datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
      trainings: [NamedSpec("default", ["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)])],
      scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])],
      methods: methods.map { NamedSpec($0) } + [NamedSpec("std_shaped", ["weight": .number(0)])], seeds: [0])
    let runs = try schedule.runs(resolveMethod: registry.resolve)
    let cacheDir = Fixtures.temporaryPath("shaped-cache")
    let results = Fixtures.temporaryPath("shaped.jsonl")
    var log: [String] = []
    func pipeline() -> RunPipeline {
      RunPipeline(
        catalog: Fixtures.toyCatalog(), registry: registry, cache: ModelCache(directory: cacheDir),
        scheduledMethods: methods, log: { log.append($0) })
    }
    let summary = try ExperimentRunner(executor: pipeline(), results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(runs)
    XCTAssertEqual(summary.completed, 4, "\((try? ResultsFile(path: results).read().records.compactMap(\.error)) ?? [])")
    let trained = log.filter { $0.hasPrefix("training M0") }
    XCTAssertEqual(trained.count, 3, "shared M0, and one own M0 per std_shaped option set: \(trained)")
    XCTAssertEqual(trained.filter { $0.contains("std_shaped (std_loss weight=1.0)") }.count, 1, "\(trained)")

    let records = try ResultsFile(path: results).read().records
    let shaped = try XCTUnwrap(records.first { $0.identity.method.canonical == "std_shaped(weight=1)" })
    let unshaped = try XCTUnwrap(records.first { $0.identity.method.canonical == "std_shaped(weight=0)" })
    XCTAssertEqual(shaped.notes["m0"], "own M0 (std_loss weight=1.0)")
    // The regulariser did its job: the logits of the own M0 spread less than without it.
    let s1 = try XCTUnwrap(Double(shaped.notes["std"] ?? "")), s0 = try XCTUnwrap(Double(unshaped.notes["std"] ?? ""))
    XCTAssertLessThan(s1, 0.7 * s0, "std of logits with the regulariser \(s1), without \(s0)")
    // Weight 0 is the shared recipe, trained apart: the same parameters as the shared M0.
    let finetune = try XCTUnwrap(records.first { $0.identity.method.name == "finetune" })
    XCTAssertEqual(unshaped.timings.trainSeconds > 0, true)
    XCTAssertEqual(finetune.scenarioDigest, shaped.scenarioDigest)

    // The shared M0 was watched by checkpoint_rewind only, never shaped by std_shaped.
    let cache = ModelCache(directory: cacheDir)
    let template = try Fixtures.toyCatalog().model("softmax")(NamedSpec("softmax"), [4], 3, 0)
    let shared = try XCTUnwrap(cache.load("m0", runs[0].originalModelKey, model: template))
    XCTAssertEqual(shared.preparedMethods, ["checkpoint_rewind"])
    let ownKey = runs.first { $0.method.canonical == "std_shaped(weight=0)" }!
      .originalModelKey(classes: nil, change: "std_loss weight=0.0")
    let own0 = try XCTUnwrap(cache.load("m0", ownKey, model: template))
    XCTAssertEqual(own0.state, shared.state, "weight 0 changes nothing but the cache key")
    XCTAssertEqual(own0.initialState, shared.initialState, "same initialisation")

    // A new invocation finds every M0 in the cache.
    log = []
    let again = Schedule(
      datasets: schedule.datasets, models: schedule.models, trainings: schedule.trainings,
      scenarios: [NamedSpec("sample", ["fraction": .number(0.2)])], methods: schedule.methods, seeds: [0])
    let s2 = try ExperimentRunner(executor: pipeline(), results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(try again.runs(resolveMethod: registry.resolve))
    XCTAssertEqual(s2.completed, 4)
    XCTAssertFalse(log.contains { $0.hasPrefix("training M0") }, "\(log)")
  }

  func testLabelCountTrainsM0OnTheKeptClassesOnly() throws {
    var catalog = Fixtures.toyCatalog()
    catalog.datasets["blobs4"] = { _ in
      ExperimentCatalog.Splits(
        name: "blobs4", train: Blobs(classes: 4, perClass: 30, seed: 1), test: Blobs(classes: 4, perClass: 10, seed: 2))
    }
    let registry = MethodRegistry()
    registry.registerBuiltins()
    let schedule = Schedule(
      datasets: [NamedSpec("blobs4")], models: [NamedSpec("softmax")],
      trainings: [NamedSpec("default", ["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)])],
      scenarios: [2, 3, 4].map { NamedSpec("label_count", ["classes": .number(Double($0))]) }
        + [NamedSpec("label_count", ["classes": .number(3), "kept": .string("3,1,0"), "forget": .string("0")])],
      methods: [NamedSpec("retrain"), NamedSpec("finetune")], seeds: [5])
    try catalog.validate(schedule)
    let results = Fixtures.temporaryPath("label-count.jsonl")
    var log: [String] = []
    let pipeline = RunPipeline(
      catalog: catalog, registry: registry, cache: nil, scheduledMethods: ["retrain", "finetune"],
      log: { log.append($0) })
    let summary = try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(try schedule.runs(resolveMethod: registry.resolve))
    XCTAssertEqual(summary.completed, 8, "\((try? ResultsFile(path: results).read().records.compactMap(\.error)) ?? [])")
    XCTAssertEqual(log.filter { $0.hasPrefix("training M0") }.count, 4, "one M0 per kept-class set")
    XCTAssertTrue(log.contains { $0.contains("blobs4[K=2]") }, "\(log)")

    let records = try ResultsFile(path: results).read().records
    for k in [2, 3, 4] {
      let r = try XCTUnwrap(records.first {
        $0.identity.method.name == "retrain" && $0.identity.scenario.options["classes"]?.numberValue == Double(k)
          && $0.identity.scenario.options["kept"] == nil
      })
      // One of K labels forgotten: 30 training samples per label.
      XCTAssertEqual(r.forgetCount, 30, "K=\(k)")
      XCTAssertEqual(r.metrics["dist_para"], 0, "retrain is M_retrain")
      XCTAssertLessThan(r.metrics["acc_deleted"] ?? 100, 50, "M_retrain never saw the forgotten label (K=\(k))")
      XCTAssertGreaterThan(r.metrics["acc_test"] ?? 0, 80, "ACC_test on the K-1 retained labels (K=\(k))")
    }
    // Given labels: keep 3, 1, 0 (renumbered 0, 1, 2) and forget the renumbered 0, the original 3.
    let given = try XCTUnwrap(records.first { $0.identity.scenario.options["kept"] != nil && $0.identity.method.name == "finetune" })
    XCTAssertEqual(given.forgetCount, 30)
    let drawn = try ForgetScenario.labelCount(
      train: Blobs(classes: 4, perClass: 30, seed: 1), test: Blobs(classes: 4, perClass: 10, seed: 2), keep: 3,
      keptLabels: [3, 1, 0], forget: [0], seed: 5, dataset: "blobs4")
    XCTAssertEqual(given.scenarioDigest, drawn.digest, "the record names the drawn scenario")
    XCTAssertEqual(drawn.forgetIndices, Array(90..<120), "original label 3 is forgotten")

    XCTAssertThrowsError(try catalog.validate(Schedule(
      datasets: schedule.datasets, models: schedule.models, trainings: schedule.trainings,
      scenarios: [NamedSpec("label_count", ["classes": .number(3), "kep": .string("1")])],
      methods: schedule.methods, seeds: [0]))) { XCTAssertTrue("\($0)".contains("kep"), "\($0)") }
  }
}
