import Core
import Experiments
import Foundation
import Methods
import XCTest

@testable import Host

/// The property each shipped Lua method's paper claims, on a small seeded problem where M0 has
/// memorised its forget set: label unlearning of one Fashion-MNIST class with a CNN trained to
/// near-perfect training accuracy on a 1,000-sample subset. The forgotten class's accuracy
/// (ACC_deleted) must fall to within `forgetMargin` points of M_retrain's (which never saw the
/// class), while the other classes' test accuracy (ACC_test) stays within `keepMargin` points of
/// M0's.
///
/// The reference defaults were set for forget sets of thousands of samples; x* here has about
/// 100. SSD and SalUn run at their defaults; SCRUB with its reference's own small-scale
/// configuration; l1_sparse with batches of 8 (1,130 steps, the reference's scale of about 1,760);
/// Fisher forgetting on 200 retained samples (to keep the test short). The defaults themselves are
/// held to the cross-scenario regression test (ACC_test within 10 points of retrain's on the
/// survey's scenarios).
final class LuaMethodPropertyTests: XCTestCase {
  static let forgetMargin = 10.0
  static let keepMargin = 8.0
  static let trainCount = 1_000, testCount = 500

  /// The results of one method's run beside M0 ("m0", which returns M0 unchanged) and retrain.
  struct Outcome {
    var m0: [String: Double]
    var retrain: [String: Double]
    var method: [String: Double]
    var notes: [String: String]
  }

  /// A folder for the model cache shared by every test of the class (M0 and M_retrain train once).
  static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-lua-properties-\(UUID())")

  override class func tearDown() {
    try? FileManager.default.removeItem(at: folder)
    super.tearDown()
  }

  /// Runs `method` with `options` on the problem, beside M0 and retrain.
  func run(_ method: String, _ options: [String: ConfigValue] = [:], file: StaticString = #filePath, line: UInt = #line)
    throws -> Outcome
  {
    let context = LuaContext(seed: 0)
    context.quiet = true
    let vm = try LuaVM(scriptName: "lua-method-properties", context: context)  // loads scripts/lua/methods
    defer { vm.close() }
    let registry = MethodRegistry()
    registry.registerBuiltins()
    try registry.register(try MethodRegistry.shared.method(named: method))
    try registry.register(
      ScriptedMethod(descriptor: MethodDescriptor(name: "m0", summary: "M0 unchanged", options: [])) {
        UnlearningResult(model: $0.model)
      })
    var spec = options
    spec["name"] = .string(method)
    let results = Self.folder.appendingPathComponent("\(method)-\(UUID()).jsonl").path
    let plan = try ExperimentPlan.from(
      .table([
        "datasets": .list([.string("fashion-mnist-subset")]),
        "models": .list([.string("cnn")]),
        "training": .table([
          "epochs": .number(8), "batch_size": .number(32), "lr": .number(0.05), "momentum": .number(0.9),
          "weight_decay": .number(5e-4),
        ]),
        "scenarios": .list([.table(["name": .string("label"), "count": .number(1)])]),
        "methods": .list([.string("m0"), .string("retrain"), .table(spec)]),
        "results": .string(results),
        "cache": .string(Self.folder.appendingPathComponent("cache").path),
      ]))
    _ = try Experiment.run(plan, catalog: Self.catalog(), registry: registry, threads: 1, log: { _ in })
    var by: [String: RunRecord] = [:]
    for r in try ResultsFile(path: results).read().records { by[r.identity.method.name] = r }
    for name in ["m0", "retrain", method] where by[name]?.status != .ok {
      XCTFail("\(name) failed: \(by[name]?.error ?? "no record")", file: file, line: line)
    }
    let outcome = Outcome(
      m0: by["m0"]?.metrics ?? [:], retrain: by["retrain"]?.metrics ?? [:], method: by[method]?.metrics ?? [:],
      notes: by[method]?.notes ?? [:])
    print(String(
      format: "%@: ACC_deleted %.1f (M0 %.1f, retrain %.1f), ACC_test %.1f (M0 %.1f, retrain %.1f), notes %@", method,
      outcome.method[acc(.accDeleted)] ?? -1, outcome.m0[acc(.accDeleted)] ?? -1, outcome.retrain[acc(.accDeleted)] ?? -1,
      outcome.method[acc(.accTest)] ?? -1, outcome.m0[acc(.accTest)] ?? -1, outcome.retrain[acc(.accTest)] ?? -1,
      "\(outcome.notes)"))
    return outcome
  }

  func acc(_ m: MetricName) -> String { m.rawValue }

  /// Checks the property: x* forgotten down to retrain's level, the other classes kept.
  func assertForgetsTheClassAndKeepsTheRest(_ o: Outcome, file: StaticString = #filePath, line: UInt = #line) throws {
    let m0Deleted = try XCTUnwrap(o.m0[acc(.accDeleted)], file: file, line: line)
    XCTAssertGreaterThan(m0Deleted, 95, "M0 must have memorised x*", file: file, line: line)
    let deleted = try XCTUnwrap(o.method[acc(.accDeleted)], file: file, line: line)
    let retrainDeleted = try XCTUnwrap(o.retrain[acc(.accDeleted)], file: file, line: line)
    XCTAssertLessThanOrEqual(deleted, retrainDeleted + Self.forgetMargin, "ACC_deleted", file: file, line: line)
    let test = try XCTUnwrap(o.method[acc(.accTest)], file: file, line: line)
    let m0Test = try XCTUnwrap(o.m0[acc(.accTest)], file: file, line: line)
    XCTAssertGreaterThanOrEqual(test, m0Test - Self.keepMargin, "ACC_test on the other classes", file: file, line: line)
  }

  func testSSDDampensTheForgottenClass() throws {
    try assertForgetsTheClassAndKeepsTheRest(try run("ssd"))
  }

  func testFisherForgettingBlursTheForgottenClass() throws {
    try assertForgetsTheClassAndKeepsTheRest(try run("fisher", ["samples": .number(200)]))
  }

  func testSCRUBForgetsTheClassAndKeepsTheRest() throws {
    // The reference's small-scale configuration (small_scale_unlearning.ipynb), for small datasets.
    try assertForgetsTheClassAndKeepsTheRest(
      try run(
        "scrub",
        [
          "optimizer": .string("adam"), "lr": .number(5e-4), "weight_decay": .number(0.1), "gamma": .number(1),
          "alpha": .number(0.5), "max_steps": .number(3), "epochs": .number(10), "temperature": .number(2),
          "lr_decay_epochs": .string("5,8,9"), "forget_batch_size": .number(64), "retained_batch_size": .number(32),
        ]))
  }

  func testSalUnForgetsTheClassAndKeepsTheRest() throws {
    try assertForgetsTheClassAndKeepsTheRest(try run("salun"))
  }

  func testL1SparseForgetsTheClassAndKeepsTheRest() throws {
    // Batches of 8: 1,130 steps over D \ x*, near the reference's 1,760 (10 epochs of 176).
    try assertForgetsTheClassAndKeepsTheRest(try run("l1_sparse", ["batch_size": .number(8)]))
  }

  static func catalog() -> ExperimentCatalog {
    fashionMNISTSubsetCatalog(train: trainCount, test: testCount, seed: 12)
  }
}
