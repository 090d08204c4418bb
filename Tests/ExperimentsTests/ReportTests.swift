import Foundation
import Methods
import XCTest

@testable import Core
@testable import Experiments

final class ReportTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testReportAggregatesSeedsAndReportsCorruptLines() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    let runs = try Fixtures.schedule(methods: ["finetune", "broken"], seeds: [0, 1, 2]).runs { $0 }
    try ExperimentRunner(executor: FakeExecutor(), results: ResultsFile(path: path), threads: 1,
      progress: { _ in }).run(runs)
    try Data("this is not json\n".utf8).append(toFile: path)
    let dir = Fixtures.temporaryPath("report")
    let out = try ReportWriter.write(resultsPath: path, directory: dir)

    XCTAssertEqual(out.corrupt.map(\.lineNumber), [7])
    XCTAssertEqual(out.table.rows.count, 1)
    // acc_test = 90 + seed over seeds 0, 1, 2: 91 ± 1; speedup = 2(seed+1): 4 ± 2.
    XCTAssertTrue(out.mainTable.contains("91.0 ± 1.0"), out.mainTable)
    XCTAssertTrue(out.mainTable.contains("4.00 ± 2.00"), out.mainTable)
    XCTAssertEqual(out.table.failures.count, 3)
    let md = try String(contentsOfFile: dir + "/results.md", encoding: .utf8)
    XCTAssertTrue(md.contains("line 7: not valid JSON"), md)
    XCTAssertTrue(md.contains("always fails"), md)
    let csv = try String(contentsOfFile: dir + "/results.csv", encoding: .utf8)
    let lines = csv.split(separator: "\n").map(String.init)
    XCTAssertEqual(
      lines.first,
      "dataset,model,training,scenario,method,options,train.epochs,train.batch_size,train.lr,train.momentum,"
        + "train.weight_decay,seeds,acc_test_mean,acc_test_std,speedup_mean,speedup_std,unlearn_s_mean,unlearn_s_std")
    XCTAssertEqual(lines.dropFirst().first, "toy,mlp,default,sample(fraction=0.01),finetune,,2.0,64.0,0.05,0.9,0.0005,3,91.0,1.0,4.0,2.0,0.5,0.0")
    let svg = try String(contentsOfFile: dir + "/acc_test.svg", encoding: .utf8)
    XCTAssertTrue(svg.hasPrefix("<svg"))
    XCTAssertTrue(svg.contains(">91.0</text>"), svg)
    XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/speedup.svg"))
  }

  /// One seed has no standard deviation: the CSV leaves it empty and the table prints the mean
  /// alone. Method options are columns with the value that ran (a method's note of it wins over
  /// a "0 means M0's" default).
  func testOneSeedHasNoStdAndOptionsAreResolvedColumns() throws {
    final class Noting: RunExecutor {
      func execute(_ run: RunIdentity) throws -> RunOutcome {
        RunOutcome(metrics: ["acc_test": 90], notes: ["lr": "0.05", "steps": "12"])
      }
    }
    let path = Fixtures.temporaryPath("results.jsonl")
    var s = Fixtures.schedule(methods: [], seeds: [0])
    s.methods = [NamedSpec("finetune", ["lr": .number(0), "epochs": .number(1)])]
    try ExperimentRunner(executor: Noting(), results: ResultsFile(path: path), threads: 1, progress: { _ in })
      .run(try s.runs { $0 })
    let table = ResultTable(records: try ResultsFile(path: path).read().records)
    let csv = CSVReport.render(table).split(separator: "\n").map(String.init)
    XCTAssertTrue(csv[0].contains("method.epochs,method.lr,seeds,acc_test_mean,acc_test_std"), csv[0])
    XCTAssertTrue(csv[1].hasSuffix(",1,0.05,1,90.0,,0.0,"), "lr is the noted 0.05, not the sentinel 0: \(csv[1])")
    let md = MarkdownReport.mainTable(table)
    XCTAssertTrue(md.contains("| 1 | 90.0 |"), md)
    XCTAssertFalse(md.contains("±"), md)
  }

  func testOptionsAppearOnlyWhereAMethodHasSeveralOptionSets() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    var s = Fixtures.schedule(methods: ["finetune"], seeds: [0])
    s.methods += [NamedSpec("neggrad", ["lr": .number(0.1)]), NamedSpec("neggrad", ["lr": .number(0.5)])]
    try ExperimentRunner(executor: FakeExecutor(), results: ResultsFile(path: path), threads: 1, progress: { _ in })
      .run(try s.runs { $0 })
    let md = MarkdownReport.mainTable(ResultTable(records: try ResultsFile(path: path).read().records))
    XCTAssertTrue(md.contains("| finetune |"), md)
    XCTAssertTrue(md.contains("| neggrad(lr=0.1) |") && md.contains("| neggrad(lr=0.5) |"), md)
  }

  func testCorrelationsBetweenMetricsAcrossRows() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    // Four methods, one seed: acc_test = 90 for all (constant → no ρ), speedup = 2 for all.
    // Distinct per-method metrics come from a custom executor.
    final class Varying: RunExecutor {
      func execute(_ run: RunIdentity) throws -> RunOutcome {
        let v: [String: (Double, Double)] = ["a": (1, 10), "b": (2, 30), "c": (3, 20), "d": (4, 40)]
        let (x, y) = v[run.method.name]!
        return RunOutcome(metrics: ["acc_test": x, "dist_output": y, "dist_para": -x])
      }
    }
    try ExperimentRunner(executor: Varying(), results: ResultsFile(path: path), threads: 1, progress: { _ in })
      .run(try Fixtures.schedule(methods: ["a", "b", "c", "d"], seeds: [0]).runs { $0 })
    let table = ResultTable(records: try ResultsFile(path: path).read().records)
    // Ranks (1,2,3,4) vs (1,3,2,4): ρ = 1 − 6·2/(4·15) = 0.8.
    XCTAssertEqual(try XCTUnwrap(CorrelationTable.rho(table, "acc_test", "dist_output")), 0.8, accuracy: 1e-12)
    XCTAssertEqual(try XCTUnwrap(CorrelationTable.rho(table, "acc_test", "dist_para")), -1, accuracy: 1e-12)
    let md = try XCTUnwrap(CorrelationTable.markdown(table))
    XCTAssertTrue(md.contains("| ACC_test | 1.00 | 0.80 | -1.00 |"), md)
  }

  func testUnknownMetricAndMissingFileAreClearErrors() throws {
    XCTAssertThrowsError(try ReportWriter.write(resultsPath: "/nonexistent.jsonl", directory: "/tmp/x")) {
      XCTAssertTrue("\($0)".contains("/nonexistent.jsonl"))
    }
    let path = Fixtures.temporaryPath("results.jsonl")
    try ExperimentRunner(executor: FakeExecutor(), results: ResultsFile(path: path), threads: 1,
      progress: { _ in }).run(try Fixtures.schedule(seeds: [0]).runs { $0 })
    XCTAssertThrowsError(
      try ReportWriter.write(resultsPath: path, directory: Fixtures.temporaryPath("r"), metrics: ["f1"])
    ) { error in
      XCTAssertTrue("\(error)".contains("acc_test, acc_remained"), "\(error)")
    }
  }
}

extension Data {
  func append(toFile path: String) throws {
    let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
    h.seekToEndOfFile()
    h.write(self)
    h.closeFile()
  }
}

final class LabelCountReportTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  func testReportCorrelatesLabelCountWithEachMetric() throws {
    // speedup falls with K, acc_test rises, dist_para is constant (no ρ).
    final class ByLabelCount: RunExecutor {
      func execute(_ run: RunIdentity) throws -> RunOutcome {
        let k = run.scenario.options["classes"]?.numberValue ?? 10
        let noise: [Double: Double] = [2: 0, 4: 3, 6: 1, 10: 2]
        return RunOutcome(metrics: [
          "speedup": 100 / k, "acc_test": 50 + k + noise[k]!, "dist_para": 1,
          "dist_output": noise[k]!,
        ])
      }
    }
    let path = Fixtures.temporaryPath("label-count-results.jsonl")
    var s = Fixtures.schedule(methods: ["finetune", "neggrad"], seeds: [0, 1])
    s.scenarios = [2, 4, 6].map { NamedSpec("label_count", ["classes": .number(Double($0))]) }
      + [NamedSpec("label_count")] + [NamedSpec("sample")]
    try ExperimentRunner(executor: ByLabelCount(), results: ResultsFile(path: path), threads: 1, progress: { _ in })
      .run(try s.runs { $0 })
    let table = ResultTable(records: try ResultsFile(path: path).read().records)
    XCTAssertEqual(table.rows.compactMap(\.labelCount).sorted(), [2, 2, 4, 4, 6, 6, 10, 10], "default K is 10")
    let sweeps = LabelCountCorrelation.sweeps(table)
    XCTAssertEqual(sweeps.map(\.label), ["finetune", "neggrad"])
    XCTAssertEqual(sweeps[0].counts, [2, 4, 6, 10])
    XCTAssertEqual(sweeps[0].rho["speedup"] ?? 0, -1, accuracy: 1e-12)
    // acc_test 52, 57, 57, 62: ties at 4 and 6 → ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4.
    XCTAssertEqual(sweeps[0].rho["acc_test"] ?? 0, 0.9486832980505138, accuracy: 1e-12)
    XCTAssertNil(sweeps[0].rho["dist_para"], "constant")
    let md = try XCTUnwrap(MarkdownReport.document(table, source: path, corrupt: [], charts: []) as String?)
    XCTAssertTrue(md.contains("label count K and each metric"), md)
    XCTAssertTrue(md.contains("| finetune | 2,4,6,10 |"), md)
  }
}
