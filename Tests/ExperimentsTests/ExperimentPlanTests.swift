import Foundation
import Methods
import XCTest

@testable import Experiments

final class ExperimentPlanTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testPlanFromScriptTable() throws {
    let table = ConfigValue.table([
      "datasets": .list([.string("blobs")]),
      "models": .list([.table(["name": .string("softmax")])]),
      "training": .table(["epochs": .number(3), "batch_size": .number(16), "lr": .number(0.1)]),
      "scenarios": .list([.table(["1": .string("sample"), "fraction": .number(0.1)])]),
      "methods": .list([.string("retrain"), .table(["1": .string("neggrad"), "lr": .number(0.5)])]),
      "seeds": .list([.number(0), .number(4)]),
      "results": .string(Fixtures.temporaryPath("out/results.jsonl")),
      "cache": .string(Fixtures.temporaryPath("cache")),
      "report": .string(Fixtures.temporaryPath("report")),
      "metrics": .table(["dist_output": .string("js")]),
    ])
    let plan = try ExperimentPlan.from(table)
    XCTAssertEqual(plan.schedule.trainings.map(\.canonical), ["default(batch_size=16,epochs=3,lr=0.1)"])
    XCTAssertEqual(plan.schedule.scenarios.map(\.canonical), ["sample(fraction=0.1)"])
    XCTAssertEqual(plan.schedule.methods.map(\.canonical), ["retrain", "neggrad(lr=0.5)"])
    XCTAssertEqual(plan.schedule.seeds, [0, 4])
    XCTAssertEqual(plan.metrics.outputDistance, .jensenShannon)

    var log: [String] = []
    let outcome = try Experiment.run(plan, catalog: Fixtures.toyCatalog(), threads: 1,
      log: { log.append($0) })
    XCTAssertEqual(outcome.summary.completed, 4)
    XCTAssertEqual(outcome.report?.table.rows.count, 2)
    XCTAssertTrue(outcome.report?.mainTable.contains("neggrad") ?? false)
  }

  func testBadPlansNameTheProblem() {
    func message(_ t: [String: ConfigValue]) -> String {
      do {
        _ = try ExperimentPlan.from(.table(t))
        return "no error"
      } catch { return "\(error)" }
    }
    let base: [String: ConfigValue] = [
      "datasets": .list([.string("d")]), "models": .list([.string("m")]),
      "scenarios": .list([.string("sample")]), "methods": .list([.string("retrain")]),
    ]
    XCTAssertEqual(message(base), "no error")
    var typo = base
    typo["method"] = .list([])
    XCTAssertTrue(message(typo).contains("unknown schedule key 'method'"), message(typo))
    var missing = base
    missing["models"] = nil
    XCTAssertTrue(message(missing).contains("'models' is missing"))
    var badSeed = base
    badSeed["seeds"] = .list([.number(1.5)])
    XCTAssertTrue(message(badSeed).contains("seeds"))
    var noName = base
    noName["methods"] = .list([.table(["lr": .number(1)])])
    XCTAssertTrue(message(noName).contains("methods[1] has no name"), message(noName))
    var badMetric = base
    badMetric["metrics"] = .table(["mia_feature": .string("logit")])
    XCTAssertTrue(message(badMetric).contains("entropy, confidence, label_confidence"), message(badMetric))
    var bothAxes = base
    bothAxes["pairs"] = .list([.list([.string("d"), .string("m")])])
    XCTAssertTrue(message(bothAxes).contains("either 'pairs' or 'datasets' and 'models'"), message(bothAxes))
    var badPair = base
    badPair["datasets"] = nil
    badPair["models"] = nil
    badPair["pairs"] = .list([.list([.string("d")])])
    XCTAssertTrue(message(badPair).contains("pairs[1] must be {dataset, model}"), message(badPair))
  }

  /// Pairs run each dataset with its own model only (the survey's Table 10), not every model on
  /// every dataset.
  func testPairsListDatasetModelCombinations() throws {
    let plan = try ExperimentPlan.from(.table([
      "pairs": .list([
        .list([.string("mnist"), .string("cnn")]),
        .list([.table(["1": .string("cifar10"), "subset": .number(500)]), .string("resnet18")]),
      ]),
      "scenarios": .list([.string("sample")]), "methods": .list([.string("retrain")]), "seeds": .list([.number(0), .number(1)]),
    ]))
    let runs = try plan.schedule.runs { $0 }
    XCTAssertEqual(runs.map { "\($0.dataset)/\($0.model)" },
      ["mnist/cnn", "mnist/cnn", "cifar10(subset=500)/resnet18", "cifar10(subset=500)/resnet18"])
    XCTAssertThrowsError(try ExperimentCatalog.standard().validate(
      Schedule(pairs: [.init(NamedSpec("mnist"), NamedSpec("transformer"))], scenarios: [NamedSpec("sample")],
        methods: [NamedSpec("retrain")]))) { error in
      XCTAssertTrue("\(error)".contains("unknown model 'transformer'"), "\(error)")
    }
  }

  func testUnknownMethodInPlanFailsBeforeTraining() throws {
    let plan = try ExperimentPlan.from(.table([
      "datasets": .list([.string("blobs")]), "models": .list([.string("softmax")]),
      "scenarios": .list([.string("sample")]), "methods": .list([.string("scrub")]),
      "results": .string(Fixtures.temporaryPath("r.jsonl")),
    ]))
    let registry = MethodRegistry()
    registry.registerBuiltins()
    XCTAssertThrowsError(try Experiment.run(plan, catalog: Fixtures.toyCatalog(), registry: registry, threads: 1,
      log: { _ in })) { error in
      XCTAssertTrue("\(error)".contains("unknown method 'scrub'; valid methods: bad_teacher, cr, deltagrad, finetune, linear_filtration"),
        "\(error)")
    }
  }
}
