import Foundation
import XCTest

@testable import Fuzzing

/// Every file of the fuzz corpus (the valid seeds and every input a campaign found crashing,
/// kept as `crash-*`) runs through its target and is parsed or rejected with a clear error.
final class CorpusReplayTests: XCTestCase {
  static let corpus: String = {
    let here = (#filePath as NSString).deletingLastPathComponent
    return ((here as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fuzz/corpus")
  }()

  func files(_ target: String) -> [String] {
    let folder = CorpusReplayTests.corpus + "/" + target
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.sorted().map { folder + "/" + $0 }
  }

  func testEveryTargetHasSeeds() {
    for target in FuzzTargets.all {
      XCTAssertGreaterThanOrEqual(files(target.name).count, 2, "\(target.name) needs seed files")
    }
  }

  func testEveryCorpusFileParsesOrIsRejectedCleanly() throws {
    var count = 0
    for target in FuzzTargets.all {
      for path in files(target.name) {
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        XCTAssertNil(target.run(bytes), path)
        count += 1
      }
    }
    XCTAssertGreaterThan(count, 30)
  }

  func testSeedsAreValidFiles() throws {
    // The seeds (not the foreign-format or crash files) parse: mutations start from real files.
    for target in FuzzTargets.all {
      for path in files(target.name) where !path.contains("/crash-") && !path.hasSuffix(".pt") {
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        XCTAssertNoThrow(try target.body(bytes), path)
      }
    }
  }

  func testMutationDriverIsDeterministicAndCounts() {
    let target = FuzzTargets.named("idx")!
    let seeds = files("idx").map { [UInt8](FileManager.default.contents(atPath: $0)!) }
    let report = MutationDriver(target: target, seeds: seeds).run(executions: 500, seconds: 60, seed: 3)
    XCTAssertEqual(report.executions, 500)
    var a = Mutator(seed: 9), b = Mutator(seed: 9)
    XCTAssertEqual(a.mutate(seeds[0], other: seeds[1]), b.mutate(seeds[0], other: seeds[1]))
  }
}
