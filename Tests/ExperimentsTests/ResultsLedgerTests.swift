import Foundation
import Methods
import XCTest

@testable import Experiments

/// Several processes on one sweep: run claims, part files, merging, and the model cache's locks.
final class ResultsLedgerTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  /// Waits `delay` seconds per run, so that two sweeps overlap.
  final class SlowExecutor: RunExecutor, @unchecked Sendable {
    let delay: Double
    let lock = NSLock()
    private(set) var executed: [String] = []
    init(delay: Double) { self.delay = delay }
    func execute(_ run: RunIdentity) throws -> RunOutcome {
      lock.withLock { executed.append(run.key) }
      Thread.sleep(forTimeInterval: delay)
      return RunOutcome(scenarioDigest: "d", forgetCount: 1, metrics: ["acc_test": Double(run.seed)])
    }
  }

  /// Two sweeps over one results file at once (the "40 records where there should be 20" case):
  /// each run is run once, by one of them, and recorded once. The claims are open-file locks, so
  /// two threads exclude each other as two processes do.
  func testTwoSweepsOnOneResultsFileRunEachRunOnce() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    let runs = try Fixtures.schedule(methods: ["finetune", "neggrad"], seeds: Array(0..<10)).runs { $0 }
    XCTAssertEqual(runs.count, 20)
    let executors = [SlowExecutor(delay: 0.02), SlowExecutor(delay: 0.02)]
    let completed = LockedLog()
    let group = DispatchGroup()
    for k in 0..<2 {
      DispatchQueue.global().async(group: group) {
        let summary = try! ExperimentRunner(
          executor: executors[k], results: ResultsFile(path: path), threads: 1, progress: { _ in }).run(runs)
        completed.append("\(summary.completed)")
      }
    }
    group.wait()
    let records = try ResultsFile(path: path).read().records
    XCTAssertEqual(records.count, 20)
    XCTAssertEqual(Set(records.map(\.key)), Set(runs.map(\.key)))
    XCTAssertEqual(executors[0].executed.count + executors[1].executed.count, 20, "no run executed twice")
    XCTAssertFalse(executors[0].executed.isEmpty || executors[1].executed.isEmpty, "both sweeps did work")
    XCTAssertEqual(completed.lines.compactMap { Int($0) }.reduce(0, +), 20)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
    XCTAssertEqual(leftovers, ["results.jsonl"], "claims are removed when released")
  }

  func testClaimIsExclusiveUntilReleased() throws {
    let ledger = ResultsLedger(resultsPath: Fixtures.temporaryPath("r.jsonl"))
    let a = try XCTUnwrap(try ledger.claim("k1"))
    XCTAssertNil(try ledger.claim("k1"), "held by another open file")
    XCTAssertTrue(ledger.isRunning("k1"))
    XCTAssertNotNil(try ledger.claim("k2"))
    a.release()
    XCTAssertFalse(ledger.isRunning("k1"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: ledger.claimPath("k1")))
    XCTAssertNotNil(try ledger.claim("k1"))
  }

  func record(_ run: RunIdentity, _ status: RunRecord.Status = .ok, acc: Double = 1) -> RunRecord {
    RunRecord(identity: run, status: status, error: status == .failed ? "boom" : nil, metrics: ["acc_test": acc],
      machine: MachineInfo.current(threads: 1))
  }

  func testPartsAreSeenAsDoneThenMergedOnceAndDuplicatesRefused() throws {
    let path = Fixtures.temporaryPath("run.jsonl")
    let runs = try Fixtures.schedule(seeds: [0, 1, 2]).runs { $0 }
    let main = ResultsLedger(resultsPath: path)
    let a = ResultsLedger(resultsPath: path, part: "slurm-7_1.jsonl")
    let b = ResultsLedger(resultsPath: path, part: "slurm-7_2.jsonl")
    XCTAssertEqual(a.partsDirectory, (path as NSString).deletingLastPathComponent + "/run.parts")
    try main.append(record(runs[0]))
    try a.append(record(runs[1]))
    try a.append(record(runs[2], .failed))
    try b.append(record(runs[3]))
    XCTAssertTrue(try main.isDone(runs[1].key), "a part's record counts")
    XCTAssertFalse(try main.isDone(runs[2].key), "a failure is not done")
    XCTAssertEqual(main.partFiles().count, 2)

    let outcome = try main.merge()
    XCTAssertEqual(outcome.merged, 3)
    XCTAssertEqual(outcome.parts.count, 2)
    XCTAssertEqual(main.partFiles().count, 0)
    let merged = try ResultsFile(path: path).read().records
    XCTAssertEqual(merged.map(\.key), [runs[0], runs[1], runs[2], runs[3]].map(\.key))
    XCTAssertEqual(try main.merge(), ResultsLedger.MergeOutcome(), "nothing left to merge")

    // A part holding lines already merged (a merge stopped before removing its parts) adds nothing.
    let line = try record(runs[4]).jsonLine()
    try ResultsFile(path: path).appendLines([line])
    try ResultsFile(path: a.partsDirectory + "/again.jsonl").appendLines([line])
    let again = try main.merge()
    XCTAssertEqual(again.merged, 0)
    XCTAssertEqual(again.alreadyPresent, 1)

    // A second, different ok record of a merged run is refused, and nothing changes.
    try b.append(record(runs[1], acc: 2))
    try a.append(record(runs[5]))
    let before = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertThrowsError(try main.merge()) { error in
      guard case ExperimentError.duplicateRecords(let lines) = error else { return XCTFail("\(error)") }
      XCTAssertEqual(lines.count, 1)
      XCTAssertTrue(lines[0].contains(runs[1].key), lines[0])
    }
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), before)
    XCTAssertEqual(main.partFiles().count, 2, "parts kept for the user to sort out")
  }

  func testStaleTemporaryFilesAreRemovedOnlyWhenNoLiveProcessHoldsTheEntry() throws {
    let dir = Fixtures.temporaryPath("cache")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let dead = "\(dir)/.m0-aaaa.\(UUID().uuidString).tmp"
    let live = "\(dir)/.retrain-bbbb.\(UUID().uuidString).tmp"
    let unrelated = "\(dir)/notes.txt"
    for f in [dead, live, unrelated] { XCTAssertTrue(FileManager.default.createFile(atPath: f, contents: Data([1, 2, 3]))) }
    XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/m0-cccc.lock", contents: nil))  // a dead writer's lock file
    let cache = ModelCache(directory: dir)
    let removed = try cache.withEntryLock("retrain", "bbbb") { _ in ModelCache.open(directory: dir).removeStaleFiles() }
    XCTAssertEqual(removed, [], "open already removed the dead writer's file")
    XCTAssertFalse(FileManager.default.fileExists(atPath: dead))
    XCTAssertTrue(FileManager.default.fileExists(atPath: unrelated))
    XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/m0-cccc.lock"))
    // The entry being written kept its temporary file while its lock was held; once released, it goes.
    XCTAssertTrue(FileManager.default.fileExists(atPath: live))
    XCTAssertEqual(cache.removeStaleFiles(), [(live as NSString).lastPathComponent])
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["notes.txt"])
  }

  /// Two pipelines race for one M0: the second waits on the entry's lock and loads what the
  /// first stored, so it is trained once.
  func testRacingPipelinesTrainACacheEntryOnce() throws {
    let cacheDir = Fixtures.temporaryPath("cache")
    let registry = MethodRegistry()
    registry.registerBuiltins()
    let schedule = Schedule(
      datasets: [NamedSpec("blobs")], models: [NamedSpec("softmax")],
      trainings: [NamedSpec("default", ["epochs": .number(20), "batch_size": .number(8)])],
      scenarios: [NamedSpec("sample", ["fraction": .number(0.1)])], methods: [NamedSpec("finetune")], seeds: [0])
    let run = try schedule.runs(resolveMethod: registry.resolve)[0]
    let logs = [LockedLog(), LockedLog()]
    let group = DispatchGroup()
    for k in 0..<2 {
      DispatchQueue.global().async(group: group) {
        let pipeline = RunPipeline(
          catalog: Fixtures.toyCatalog(), registry: registry, cache: ModelCache.open(directory: cacheDir),
          scheduledMethods: ["finetune"], log: logs[k].append)
        try! pipeline.prepareModel(.original, for: run)
      }
    }
    group.wait()
    let all = logs[0].lines + logs[1].lines
    XCTAssertEqual(all.filter { $0.hasPrefix("training M0") }.count, 1, "\(all)")
    XCTAssertEqual(all.filter { $0.contains("loaded from cache") }.count, 1, "\(all)")
    let files = try FileManager.default.contentsOfDirectory(atPath: cacheDir).sorted()
    XCTAssertEqual(files.count, 2, "the model and its companion, no lock or temporary left: \(files)")
  }
}

/// Log lines gathered from another thread.
final class LockedLog: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [String] = []
  var lines: [String] { lock.withLock { stored } }
  func append(_ line: String) { lock.withLock { stored.append(line) } }
}
