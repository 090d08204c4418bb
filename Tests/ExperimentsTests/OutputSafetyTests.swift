import Core
import Foundation
import Methods
import XCTest

@testable import Experiments

/// Issue 17's runner and report faults: "done" before the record was written, folders checked
/// only after training, a full disk told as a short write, report file names taken from a
/// results file (path traversal, a NUL byte), Markdown copying HTML, files with nothing to report.
final class OutputSafetyTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  /// /dev/full fails every write with ENOSPC, as a full disk does.
  func testAFullDiskIsNamedAndNothingIsReportedDoneBeforeItsRecordIsWritten() throws {
    try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full")
    var lines: [String] = []
    let runner = ExperimentRunner(
      executor: FakeExecutor(), results: ResultsFile(path: "/dev/full"), threads: 1, progress: { lines.append($0) })
    XCTAssertThrowsError(try runner.run(try Fixtures.schedule(seeds: [0]).runs { $0 })) { error in
      XCTAssertEqual("\(error)", "cannot write /dev/full: no space left on the device")
    }
    XCTAssertEqual(lines.filter { $0.hasSuffix(": running") }.count, 1, "\(lines)")
    XCTAssertFalse(lines.contains { $0.hasSuffix(": done") }, "\(lines)")
  }

  /// A sweep whose model cache (or results, or report folder) cannot be written fails before
  /// anything trains, naming the folder and the reason.
  func testUnwritableFoldersFailBeforeAnythingTrains() throws {
    var table: [String: ConfigValue] = [
      "datasets": .list([.string("blobs")]), "models": .list([.string("softmax")]),
      "training": .table(["epochs": .number(1)]),
      "scenarios": .list([.table(["1": .string("sample"), "fraction": .number(0.1)])]),
      "methods": .list([.string("retrain")]), "seeds": .list([.number(0)]),
      "results": .string(Fixtures.temporaryPath("results.jsonl")),
    ]
    let file = Fixtures.temporaryPath("a-file")
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    // /proc cannot be written even by root; a path under a regular file cannot be created.
    let cases: [(String, String, String)] = [
      ("cache", "/proc", "cannot write into the model cache folder /proc: "),
      ("cache", file + "/cache", "cannot create the folder \(file)/cache: a part of the path is not a folder"),
      ("cache", file, "cannot create the folder \(file): a file of that name is in the way"),
      ("results", "/proc/results.jsonl", "cannot write into the results folder /proc: "),
      ("report", "/proc/report", "cannot create the folder /proc/report: "),
    ]
    for (key, path, expected) in cases {
      table[key] = .string(path)
      defer { table[key] = key == "results" ? .string(Fixtures.temporaryPath("results.jsonl")) : nil }
      var log: [String] = []
      XCTAssertThrowsError(
        try Experiment.run(try ExperimentPlan.from(.table(table)), catalog: Fixtures.toyCatalog(), threads: 1,
          log: { log.append($0) })
      ) { error in
        XCTAssertTrue(error is FileError, "\(key): \(error)")
        XCTAssertTrue("\(error)".hasPrefix(expected), "\(key): \(error)")
        XCTAssertFalse("\(error)".contains("NSCocoaErrorDomain"), "\(error)")
      }
      XCTAssertEqual(log, [], "nothing ran for \(key)")
    }
    // A results file that cannot be appended to (a folder in its place) is refused too.
    let folder = Fixtures.temporaryPath("results-folder")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    table["results"] = .string(folder)
    XCTAssertThrowsError(try OutputFolders.check(try ExperimentPlan.from(.table(table)))) { error in
      XCTAssertEqual("\(error)", "cannot append to \(folder): is a folder")
    }
  }

  /// Metric and method names are copied from results files: they must never name a file outside
  /// the report folder, drop the `.svg` suffix, or inject HTML, links, formulas or escape codes.
  func testReportNamesAndTextFromTheResultsFileAreMadeSafe() throws {
    final class Hostile: RunExecutor {
      static let metrics = [
        "../../escaped", "a\u{0}b", "..", ".hidden", "x/y", "x_y", "<img src=x onerror=alert(1)>",
        String(repeating: "m", count: 300), "acc_test",
      ]
      func execute(_ run: RunIdentity) throws -> RunOutcome {
        RunOutcome(metrics: Dictionary(uniqueKeysWithValues: Hostile.metrics.enumerated().map { ($1, Double($0)) }))
      }
    }
    let parent = Fixtures.temporaryPath("parent")
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    let results = parent + "/results.jsonl"
    let methods = ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "[link](javascript:alert(1))",
      "tick`s", "esc\u{1b}[31mred"]
    try ExperimentRunner(executor: Hostile(), results: ResultsFile(path: results), threads: 1, progress: { _ in })
      .run(try Fixtures.schedule(methods: methods, seeds: [0]).runs { $0 })
    let dir = parent + "/deep/report"
    let out = try ReportWriter.write(resultsPath: results, directory: dir)

    // Everything written is inside the report folder, named from the safe characters only.
    let outside = try FileManager.default.contentsOfDirectory(atPath: parent).sorted()
    XCTAssertEqual(outside, ["deep", "results.jsonl"])
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent + "/deep"), ["report"])
    let written = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    XCTAssertEqual(written.count, 2 + Hostile.metrics.count, "\(written)")
    XCTAssertEqual(Set(out.files.map { ($0 as NSString).lastPathComponent }), Set(written))
    for name in written {
      XCTAssertTrue(name.allSatisfy(ReportText.fileNameCharacters.contains), name)
      XCTAssertFalse(name.hasPrefix("."), name)
      XCTAssertTrue(name.hasSuffix(".svg") || name.hasSuffix(".md") || name.hasSuffix(".csv"), name)
      XCTAssertLessThanOrEqual(name.count, 110, name)
    }
    XCTAssertTrue(written.contains("acc_test.svg"))
    XCTAssertTrue(written.contains("_.._escaped.svg"), "\(written)")
    XCTAssertTrue(written.contains("a_b.svg") && written.contains("x_y.svg") && written.contains("x_y-2.svg"))

    let md = try String(contentsOfFile: dir + "/results.md", encoding: .utf8)
    for raw in ["<script>", "<img", "[link](", "\u{1b}", "\u{0}"] {
      XCTAssertFalse(md.contains(raw), "results.md holds \(raw.debugDescription)")
      XCTAssertFalse(out.mainTable.contains(raw), "the printed table holds \(raw.debugDescription)")
    }
    XCTAssertTrue(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), md)
    XCTAssertTrue(md.contains("\\[link\\](javascript:alert(1))"), md)
    XCTAssertTrue(md.contains("tick\\`s"), md)
    let csv = try String(contentsOfFile: dir + "/results.csv", encoding: .utf8)
    XCTAssertFalse(csv.contains(",=HYPERLINK"), csv)
    XCTAssertTrue(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), csv)
    XCTAssertFalse(csv.contains("\u{1b}") || csv.contains("\u{0}"), csv)
  }

  func testCodeSpansCannotBeClosedEarly() {
    XCTAssertEqual(ReportText.code("a`b"), "``a`b``")
    XCTAssertEqual(ReportText.code("`x`"), "`` `x` ``")
    XCTAssertEqual(ReportText.code("<b>"), "`<b>`")
    XCTAssertEqual(ReportText.markdown("a|b<c>&\n"), "a\\|b&lt;c&gt;&amp; ")
    XCTAssertEqual(ReportText.csv("-1"), "'-1")
    XCTAssertEqual(ReportText.csv("a,b"), "\"a,b\"")
  }

  /// `lethe report` and `lethe.experiment.results` need a file with records in it.
  func testFilesWithoutRecordsAreErrors() throws {
    let dir = Fixtures.temporaryPath("r")
    func message(_ bytes: [UInt8]?) -> String {
      let path = Fixtures.temporaryPath("results.jsonl")
      if let bytes { try? Data(bytes).write(to: URL(fileURLWithPath: path)) }
      do {
        _ = try ReportWriter.write(resultsPath: path, directory: dir)
        return "no error"
      } catch { return "\(error)".replacingOccurrences(of: path, with: "F") }
    }
    XCTAssertEqual(message(nil), "cannot read F: no such file or folder")
    XCTAssertEqual(message([]), "F: nothing to report: it is empty")
    XCTAssertEqual(message(Array("\n  \n".utf8)), "F: nothing to report: it is empty")
    XCTAssertEqual(
      message(Array("{\"a\": 1}\nnot json\n".utf8)),
      "F: nothing to report: none of its 2 lines is a record (line 1: missing field 'key')")
    XCTAssertEqual(message([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff, 0xfe, 10, 0x80]),
      "F: not a results file (binary data, not JSON Lines)")
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results.md"), "nothing written")
    // The runner still starts from a missing file, and reads a file whose tail a crash zeroed.
    let fresh = Fixtures.temporaryPath("new.jsonl")
    XCTAssertEqual(try ResultsFile(path: fresh).read().records.count, 0)
    XCTAssertThrowsError(try ResultsFile(path: fresh).read(mustExist: true))
    try ExperimentRunner(executor: FakeExecutor(), results: ResultsFile(path: fresh), threads: 1, progress: { _ in })
      .run(try Fixtures.schedule(seeds: [0]).runs { $0 })
    try Data([0, 0, 0, 0]).append(toFile: fresh)
    let contents = try ResultsFile(path: fresh).read(mustExist: true)
    XCTAssertEqual(contents.records.count, 2)
    XCTAssertEqual(contents.corrupt.count, 1)
  }
}
