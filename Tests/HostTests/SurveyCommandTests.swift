import Foundation
import XCTest

@testable import Experiments

/// `lethe survey --profile smoke`: the survey's grid end to end on synthetic stand-ins, run by
/// the real executable (part of `make test`), then resumed.
final class SurveyCommandTests: XCTestCase {
  var lethe: URL!
  var dir: String!

  override func setUpWithError() throws {
    lethe = URL(fileURLWithPath: try ChildProcess.lethe())
    dir = NSTemporaryDirectory() + "lethe-survey-\(UUID().uuidString)"
  }

  override func tearDownWithError() throws {
    if let dir { try? FileManager.default.removeItem(atPath: dir) }
  }

  func run(_ arguments: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = lethe
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  func testSmokeProfileRunsEveryRegisteredSurveyMethodWritesThePapersReportAndResumes() throws {
    let started = Date()
    let (status, output) = try run(["survey", "--profile", "smoke", "--out", dir, "--quiet"])
    let seconds = Date().timeIntervalSince(started)
    XCTAssertEqual(status, 0, output)
    XCTAssertLessThan(seconds, 180, "the smoke profile must stay under three minutes")

    let records = try ResultsFile(path: dir + "/results.jsonl").read().records
    let (_, listing) = try run(["methods"])
    let registered = SurveyProfile.methods.filter { listing.contains("\n\($0)  [") || listing.hasPrefix("\($0)  [") }
    XCTAssertFalse(registered.isEmpty, listing)
    // The smoke profile's data are tables: the image-only methods are left out, and say so.
    let expected = registered.filter { !SurveyProfile.imageOnlyMethods.contains($0) }
    XCTAssertEqual(Set(records.map(\.identity.method.name)), Set(expected), "every applicable survey method ran")
    if registered.contains("unlearnable") { XCTAssertTrue(output.contains("unlearnable left out on tabular data"), output) }
    let absent = SurveyProfile.methods.filter { !registered.contains($0) }
    if !absent.isEmpty {
      XCTAssertTrue(output.contains("not registered in this build, left out: " + absent.joined(separator: ", ")), output)
    }
    XCTAssertTrue(records.allSatisfy { $0.status == .ok }, records.compactMap(\.error).joined(separator: "\n"))
    // Scenarios: three sample fractions, one and three labels, a label-count sweep by k-means.
    let scenarios = Set(records.map(\.identity.scenario.canonical))
    for s in ["sample(fraction=0.01)", "sample(fraction=0.05)", "sample(fraction=0.1)", "label(count=1)",
      "label(count=3)", "label_count(classes=4,relabel=kmeans)"]
    {
      XCTAssertTrue(scenarios.contains(s), "\(s) in \(scenarios.sorted())")
    }
    XCTAssertEqual(Set(records.map(\.identity.seed)), [0, 1])
    for r in records {
      XCTAssertNotNil(r.build?.gemm)
      XCTAssertNotNil(r.metricVariants?["mia_auc"])
      XCTAssertNotNil(r.work, r.identity.method.name)
      XCTAssertNotNil(r.metrics["speedup_work"] ?? (r.notes["speedup_work"] != nil ? 0 : nil), r.identity.method.name)
    }

    let report = dir + "/report"
    let md = try String(contentsOfFile: report + "/survey.md", encoding: .utf8)
    XCTAssertTrue(md.contains("**Synthetic data.**"), "results on stand-ins are labelled synthetic")
    for section in ["## Table 13", "## Table 14", "## Table 15", "## Figure 2", "## Figure 3", "## Findings",
      "## Verdicts", "## How this run departs from the survey", "## What the profiles cost"]
    {
      XCTAssertTrue(md.contains(section), "\(section) missing")
    }
    XCTAssertTrue(md.contains("H ≥ 10×"), "the ratings rule states its thresholds")
    for file in ["results.md", "results.csv", "table13.csv", "table14.csv", "table15.csv", "figure2-speedup.svg",
      "figure3-acc_test.svg", "speedup_work.svg"]
    {
      XCTAssertTrue(FileManager.default.fileExists(atPath: report + "/" + file), file)
    }
    XCTAssertTrue(md.contains("![figure2-speedup.svg](figure2-speedup.svg)"), "figures linked by file name")

    // Rerun: every run, M0 and M_retrain is reused; the report is rewritten.
    let (again, second) = try run(["survey", "--profile", "smoke", "--out", dir])
    XCTAssertEqual(again, 0, second)
    XCTAssertTrue(second.contains("survey done in"), second)
    XCTAssertTrue(second.contains(": 0 runs, \(records.count) already recorded, 0 failed"), second)
    XCTAssertFalse(second.contains("training M0"), second)
  }

  func testEstimateRunsNothingAndUnknownProfilesAreUsageErrors() throws {
    let (status, output) = try run(["survey", "--profile", "full", "--out", dir, "--estimate"])
    XCTAssertEqual(status, 0, output)
    XCTAssertTrue(output.contains("expected: all:"), output)
    XCTAssertTrue(output.contains("resnet18:"), output)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results.jsonl"))
    let (bad, message) = try run(["survey", "--profile", "huge"])
    XCTAssertEqual(bad, 2)
    XCTAssertTrue(message.contains("valid profiles: smoke, laptop, full"), message)
  }
}
