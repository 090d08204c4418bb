import Core
import Experiments
import Foundation
import Methods
import XCTest

@testable import Host

/// Issue 18: every built-in method and every Lua method shipped in `scripts/lua/methods/`, at its
/// defaults, on a small real-data problem, label unlearning of one class. No run may fail unless
/// the method declares it does not apply (`MethodError.notApplicable`), and each method's
/// ACC_test may fall at most `tolerance` points below M_retrain's. Methods added later join by
/// themselves: the built-ins come from `registerBuiltins()`, the Lua ones from the folder.
///
/// The problem: a seeded 1,500-sample subset of Fashion-MNIST's training set (and 400 test
/// samples), loaded through the dataset catalogue, the CNN, M0 trained for 2 epochs with the
/// demo's hyperparameters. Fashion-MNIST comes with `make deps`; without it the test fails and
/// says how to get it.
final class MethodDefaultsAcrossScenariosTests: XCTestCase {
  /// The largest allowed ACC_test(M_retrain) − ACC_test(method), in points.
  let tolerance = 10.0
  /// Wider bounds, each for a stated reason (docs/methods.md, "Defaults across scenarios"):
  /// - `sisa`: its M0 is ten shard models, each trained on a tenth of the 1,500 samples (about
  ///   135), so the ensemble itself is 15–30 points below a model trained on all of them; on all of
  ///   Fashion-MNIST the gap closes (see the note of issue 14).
  /// - `ssd`: at its reference defaults (α = 10, λ = 1) it costs about 20 points on label
  ///   unlearning of one class here, where M0 has trained for two epochs to 75%; an open problem.
  let wider: [String: Double] = ["sisa": 35, "ssd": 25]
  let trainCount = 1_500
  let testCount = 400

  func testEveryMethodAtItsDefaultsStaysNearRetrainOnEveryScenario() throws {
    let context = LuaContext(seed: 0)
    context.quiet = true
    let vm = try LuaVM(scriptName: "defaults-test", context: context)  // loads scripts/lua/methods
    defer { vm.close() }
    let registry = try shippedMethods()
    let names = registry.descriptors.map(\.name)
    XCTAssertTrue(names.contains("random_labels") && names.contains("neggrad"), "\(names)")

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-defaults-\(UUID())").path
    defer { if ProcessInfo.processInfo.environment["LETHE_KEEP_TEST_RESULTS"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
    let plan = try ExperimentPlan.from(
      .table([
        "datasets": .list([.string("fashion-mnist-subset")]),
        "models": .list([.string("cnn")]),
        "training": .table([
          "epochs": .number(2), "batch_size": .number(64), "lr": .number(0.05), "momentum": .number(0.9),
          "weight_decay": .number(5e-4),
        ]),
        "scenarios": .list([
          // The scenario on which every default issue 18 found broken failed (neggrad+ only
          // there); all five run at full size in release builds with scripts/lua/defaults_check.lua,
          // and every scenario kind must run without failing in the survey's smoke profile.
          .table(["name": .string("label"), "count": .number(1)]),
        ]),
        "methods": .list(names.map { .string($0) }),
        "results": .string(folder + "/results.jsonl"),
        "cache": .string(folder + "/cache"),
      ]))
    let outcome = try Experiment.run(plan, catalog: fashionMNISTSubsetCatalog(train: trainCount, test: testCount, seed: 18), registry: registry, threads: 1, log: { _ in })
    let records = try ResultsFile(path: plan.resultsPath).read().records
    XCTAssertEqual(records.count, names.count)
    XCTAssertEqual(outcome.summary.completed + outcome.summary.failed, records.count)

    var retrain: [String: Double] = [:]
    for r in records where r.identity.method.name == "retrain" {
      retrain[r.identity.scenario.canonical] = r.metrics[MetricName.accTest.rawValue]
    }
    var table: [String] = []
    for r in records {
      let method = r.identity.method.name, scenario = r.identity.scenario.canonical
      guard r.status == .ok else {
        let message = r.error ?? "no message"
        table.append("\(method) on \(scenario): failed: \(message)")
        if !message.contains("does not apply") { XCTFail("\(method) on \(scenario) failed: \(message)") }
        continue
      }
      let acc = try XCTUnwrap(r.metrics[MetricName.accTest.rawValue])
      let reference = try XCTUnwrap(retrain[scenario], "no retrain run for \(scenario)")
      table.append(String(format: "%@ on %@: ACC_test %.2f (retrain %.2f)", method, scenario, acc, reference))
      // One-sided: a default must not wreck the model; training longer than this 2-epoch M_retrain
      // (l1_sparse, finetune) may well end above it.
      XCTAssertLessThanOrEqual(
        reference - acc, wider[method] ?? tolerance,
        String(format: "%@ on %@: ACC_test %.2f, retrain %.2f", method, scenario, acc, reference))
    }
    print(table.joined(separator: "\n"))
  }

  /// A registry with the built-ins and the Lua methods of `scripts/lua/methods/` (as the Lua
  /// state just loaded them), and nothing other tests may have registered.
  func shippedMethods() throws -> MethodRegistry {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    let folder = repositoryRoot.appendingPathComponent("scripts/lua/methods")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
    XCTAssertFalse(files.isEmpty)
    for d in MethodRegistry.shared.descriptors where d.origin == .lua {
      // Lua names a script by its (possibly shortened) path; the file name survives at the end.
      guard let source = d.source, files.contains(where: { source.hasSuffix("/" + $0) }) else { continue }
      try registry.register(try MethodRegistry.shared.method(named: d.name))
    }
    return registry
  }
}
