import Core
import Foundation
import Methods
import ToyProblems
import XCTest

@testable import Experiments

/// A second `Learner` implementation, shaped like SISA's ensemble: two softmax regressions, one
/// trained on the even positions and one on the odd ones, whose logits are averaged. It must be
/// trained, cached, measured and reported by the same code as a single module, without any
/// special case (no caller may look through `Learner`).
final class HalvesEnsemble: Learner {
  let halves: [Module]
  let classCount: Int

  init(features: Int, classes: Int, seed: UInt64) throws {
    halves = try [0, 1].map { try softmaxRegression(features: features, classes: classes, seed: seed &+ $0).module }
    classCount = classes
  }

  private init(halves: [Module], classCount: Int) {
    self.halves = halves
    self.classCount = classCount
  }

  var constituents: [Constituent] {
    halves.enumerated().map { Constituent(name: "half\($0.offset)", module: $0.element) }
  }

  func trainingShares(of indices: [Int]?, sourceCount: Int) -> [TrainingShare] {
    let all = indices ?? Array(0..<sourceCount)
    return constituents.enumerated().map { k, c in TrainingShare(constituent: c, indices: all.filter { $0 % 2 == k }) }
  }

  func logits(inputs: Tensor) throws -> Tensor {
    let z = try halves.map { try $0.logits(inputs: inputs) }
    return Tensor(shape: z[0].shape, storage: zip(z[0].storage, z[1].storage).map { ($0 + $1) / 2 })
  }

  func lossAndGradient(inputs: Tensor, targets: Targets, stepSeed: UInt64) throws -> (loss: Double, gradient: [Float]) {
    guard case .labels(let labels) = targets else {
      throw MethodError.failed(method: "model", message: "labels only")
    }
    for h in halves { h.train(); h.zeroGrad() }
    let x = Variable(inputs)
    let loss = try Functional.crossEntropy((try halves[0](x) + (try halves[1](x))) * 0.5, targets: labels)
    try loss.backward()
    let gradient = halves.flatMap { $0.gradientVector().storage }
    for h in halves { h.zeroGrad() }
    return (Double(loss.value.storage[0]), gradient)
  }

  func copy() -> Learner { HalvesEnsemble(halves: halves.map { $0.clone() }, classCount: classCount) }
}

final class EnsembleLearnerTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testAnEnsembleIsTrainedCachedMeasuredAndReportedLikeOneModel() throws {
    var catalog = Fixtures.toyCatalog()
    catalog.models["halves"] = { _, shape, classes, seed in try HalvesEnsemble(features: shape[0], classes: classes, seed: seed) }
    let registry = MethodRegistry()
    registry.registerBuiltins()
    let methods = [NamedSpec("retrain", ["epochs": .number(3)]), NamedSpec("finetune"), NamedSpec("neggrad")]
    let schedule = Schedule(
      datasets: [NamedSpec("blobs")], models: [NamedSpec("halves")],
      trainings: [NamedSpec("default", ["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)])],
      scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])], methods: methods, seeds: [0])
    let runs = try schedule.runs(resolveMethod: registry.resolve)
    let cacheDir = Fixtures.temporaryPath("cache")
    let results = Fixtures.temporaryPath("results.jsonl")
    var log: [String] = []
    func sweep() throws -> ExperimentRunner.Summary {
      let pipeline = RunPipeline(
        catalog: catalog, registry: registry, cache: ModelCache(directory: cacheDir),
        scheduledMethods: methods.map(\.name), log: { log.append($0) })
      return try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1,
        progress: { _ in }).run(runs)
    }
    let summary = try sweep()
    XCTAssertEqual(summary.completed, 3, "\((try? ResultsFile(path: results).read().records.compactMap(\.error)) ?? [])")
    let records = try ResultsFile(path: results).read().records
    for r in records {
      XCTAssertEqual(Set(r.metrics.keys), Set(MetricName.allCases.map(\.rawValue)), r.identity.method.name)
    }
    // Retraining with M0's recipe replays M_retrain share by share, bit for bit.
    let retrain = try XCTUnwrap(records.first { $0.identity.method.name == "retrain" })
    XCTAssertEqual(retrain.metrics["dist_para"], 0)
    let finetune = try XCTUnwrap(records.first { $0.identity.method.name == "finetune" })
    XCTAssertGreaterThan(finetune.metrics["dist_para"] ?? 0, 0)
    XCTAssertGreaterThan(finetune.metrics["acc_test"] ?? 0, 80)

    // The cached M0 holds both halves under prefixed PyTorch names and loads strictly.
    let template = try HalvesEnsemble(features: 4, classes: 3, seed: 9)
    let key = runs[0].originalModelKey
    let url = URL(fileURLWithPath: ModelCache(directory: cacheDir).path("m0", key))
    XCTAssertEqual(
      try SafeTensors.read(url).names, ["half0.0.weight", "half0.0.bias", "half1.0.weight", "half1.0.bias"])
    try Checkpoint.load(into: template.checkpointParts, from: url, strict: true)
    let cached = try XCTUnwrap(ModelCache(directory: cacheDir).load("m0", key, model: template))
    XCTAssertEqual(cached.state, template.stateVector())
    let half = template.halves[0].stateCount
    XCTAssertEqual(cached.state.count, 2 * half)
    for k in 0..<2 {
      let part = (k * half)..<((k + 1) * half)
      XCTAssertNotEqual(Array(cached.state[part]), Array(cached.initialState[part]), "half \(k) trained")
    }

    // A second invocation records nothing twice; the report reads the records.
    XCTAssertEqual(try sweep().skipped, 3)
    let report = try ReportWriter.write(resultsPath: results, directory: Fixtures.temporaryPath("report"))
    XCTAssertEqual(report.table.rows.count, 3)
  }
}
