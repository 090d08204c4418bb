import Core
import Foundation
import Methods
import ToyProblems
import XCTest

@testable import Experiments

/// Issue 13's methods in a schedule beside each other: each runs where it applies, Linear
/// Filtration fails on sample unlearning with its reason while the sweep goes on, its removed
/// class is left out of the output metrics, and every run records its unlearning's peak memory.
final class SecondOrderMethodsPipelineTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testMethodsRunInOneScheduleAndInapplicableRunsFailWithTheirReason() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    let light: [String: OptionValue] = ["lcodec_samples": .number(100), "lcodec_points": .number(2)]
    let methods = [
      NamedSpec("retrain"), NamedSpec("cr", light), NamedSpec("sekhari", light),
      NamedSpec("deltagrad", ["head_epochs": .number(20)]), NamedSpec("linear_filtration"),
    ]
    let s = Schedule(
      datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
      trainings: [NamedSpec("default", ["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)])],
      scenarios: [NamedSpec("sample", ["fraction": .number(0.1)]), NamedSpec("label", ["labels": .string("1")])],
      methods: methods, seeds: [0])
    let runs = try s.runs(resolveMethod: registry.resolve)
    let results = Fixtures.temporaryPath("survey-methods.jsonl")
    let pipeline = RunPipeline(
      catalog: Fixtures.toyCatalog(), registry: registry, cache: ModelCache(directory: Fixtures.temporaryPath("c")),
      scheduledMethods: methods.map(\.name), log: { _ in })
    let summary = try ExperimentRunner(executor: pipeline, results: ResultsFile(path: results), threads: 1,
      progress: { _ in }).run(runs)
    let records = try ResultsFile(path: results).read().records
    XCTAssertEqual(summary.completed + summary.failed, 10)
    XCTAssertEqual(summary.failed, 1, "\(records.compactMap(\.error))")

    let failed = try XCTUnwrap(records.first { $0.status == .failed })
    XCTAssertEqual(failed.identity.method.name, "linear_filtration")
    XCTAssertEqual(failed.identity.scenario.name, "sample")
    XCTAssertTrue(failed.error?.contains("does not apply") == true && failed.error?.contains("sample unlearning") == true,
      failed.error ?? "")

    let filtered = try XCTUnwrap(records.first { $0.identity.method.name == "linear_filtration" && $0.status == .ok })
    XCTAssertEqual(filtered.metrics["acc_deleted"], 0, "the removed class is never predicted")
    XCTAssertEqual(filtered.notes["removed_classes"], "1")
    XCTAssertGreaterThan(filtered.metrics["acc_test"] ?? 0, 80)
    for r in records where r.status == .ok && r.identity.method.name != "retrain" {
      XCTAssertNotNil(r.timings.unlearnPeakMiB, "\(r.identity.method)")
      XCTAssertGreaterThanOrEqual(r.timings.unlearnGrowthMiB ?? -1, 0)
      XCTAssertGreaterThan(r.metrics["speedup"] ?? 0, 0)
    }
    let cr = try XCTUnwrap(records.first { $0.identity.method.name == "cr" })
    XCTAssertNotNil(cr.notes["slices"], "LCODEC's slices go into the run's notes")
    XCTAssertNotNil(cr.notes["reverted"])
  }

  func testExcludedClassesAreLeftOutOfOutputMetrics() throws {
    let outputs = try OutputMatrix(values: [1, 5, 2, 4, 0, 3], rowCount: 2, classCount: 3)
    let kept = try outputs.excludingClasses([1])
    XCTAssertEqual(kept.argmaxRows(), [2, 0])
    XCTAssertEqual(kept.softmaxRows()[0][1], 0)
    XCTAssertEqual(kept.softmaxRows()[0][0] + kept.softmaxRows()[0][2], 1, accuracy: 1e-12)
    XCTAssertEqual(try outputs.excludingClasses([]), outputs)
    XCTAssertThrowsError(try outputs.excludingClasses([0, 1, 2]))
    XCTAssertThrowsError(try outputs.excludingClasses([3]))
  }
}
