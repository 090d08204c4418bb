import Foundation
import Methods
import ToyProblems

@testable import Experiments

/// A stand-in for the training pipeline: metrics derived from the run's seed, and a method name
/// that always throws.
final class FakeExecutor: RunExecutor {
  var executed: [String] = []
  func execute(_ run: RunIdentity) throws -> RunOutcome {
    executed.append(run.key)
    if run.method.name == "broken" { throw MethodError.failed(method: "broken", message: "always fails") }
    let s = Double(run.seed)
    return RunOutcome(
      scenarioDigest: "digest-\(run.scenario.name)", forgetCount: 6,
      metrics: ["acc_test": 90 + s, "speedup": 2 * (s + 1)],
      timings: RunTimings(unlearnSeconds: 0.5, retrainSeconds: 1))
  }
}

enum Fixtures {
  static func schedule(methods: [String] = ["finetune", "neggrad"], seeds: [UInt64] = [0, 1]) -> Schedule {
    Schedule(
      datasets: [NamedSpec("toy")], models: [NamedSpec("mlp")], trainings: [NamedSpec("default")],
      scenarios: [NamedSpec("sample", ["fraction": .number(0.01)])], methods: methods.map { NamedSpec($0) },
      seeds: seeds)
  }

  /// Every temporary folder of this test process lives under this root, removed by `cleanUp()`.
  static let root = NSTemporaryDirectory() + "lethe-methods-tests-\(ProcessInfo.processInfo.processIdentifier)"

  /// Removes every temporary folder (test classes call it from `class func tearDown()`).
  static func cleanUp() { try? FileManager.default.removeItem(atPath: root) }

  static func temporaryPath(_ name: String) -> String {
    let dir = root + "/\(UUID())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + name
  }
}

extension Fixtures {
  /// A catalog with the blobs dataset and the softmax-regression model.
  static func toyCatalog() -> ExperimentCatalog {
    var c = ExperimentCatalog()
    c.datasets["blobs"] = { _ in
      ExperimentCatalog.Splits(name: "blobs", train: Blobs(perClass: 40, seed: 1), test: Blobs(perClass: 20, seed: 2))
    }
    c.models["softmax"] = { _, shape, classes, seed in
      try softmaxRegression(features: shape[0], classes: classes, seed: seed)
    }
    return c
  }
}
