import Foundation
import XCTest

@testable import Core

/// The dataset cache under damage: a flipped byte is noticed and the entry rebuilt; temporaries
/// left by killed writers are removed, live writers' are not; a full disk or an unwritable
/// folder is said plainly.
final class DataCacheFaultTests: XCTestCase {
  typealias F = DataFixtures

  func sample() throws -> Dataset {
    try Dataset(
      name: "toy/train", sampleShape: [1, 2, 2], classCount: 3, labels: [0, 2, 1],
      storage: .bytes(Array(0..<12), scale: 1 / 255), origin: "toy")
  }

  func testAFlippedByteIsNoticedAndTheEntryRebuilt() throws {
    let cache = DataCache(directory: try F.temporaryFolder(self))
    let d = try sample()
    try cache.store([d], key: "k", parts: ["train"])
    let file = cache.directory + "/datasets/k-train.ldset"
    let good = try FileBytes.read(file)
    XCTAssertEqual(cache.load(key: "k", parts: ["train"])?.first?.labels, d.labels)
    // Flip one byte anywhere (a label, a pixel, the header, the checksum): never silently loaded.
    for offset in [9, 30, good.count - 14, good.count - 5, good.count - 1] {
      var bad = good
      bad[offset] ^= 0x01
      try F.write(bad, to: file)
      XCTAssertNil(cache.load(key: "k", parts: ["train"]), "byte \(offset) flipped")
      XCTAssertFalse(FileManager.default.fileExists(atPath: file), "a damaged entry is removed")
      F.assertThrows(["k-train.ldset", "damaged cache entry"]) {
        _ = try DataCache.decodeEntry(bad, file: file)
      }
    }
    // Through `cached`, the damaged entry is rebuilt and the data is the original.
    try F.write(good, to: file)
    var flipped = good
    flipped[good.count - 6] ^= 0x80
    try F.write(flipped, to: file)
    var built = 0
    let r = try cache.cached(recipe: "r", sources: [], parts: ["train"]) {
      built += 1
      return [d]
    }
    XCTAssertEqual(built, 1)
    XCTAssertEqual(r.datasets[0].labels, d.labels)
    XCTAssertEqual(try r.datasets[0].batch(at: [0, 1, 2]).inputs, try d.batch(at: [0, 1, 2]).inputs)
  }

  func testStaleTemporariesOfKilledWritersAreRemovedOnOpen() throws {
    let cache = DataCache(directory: try F.temporaryFolder(self))
    let folder = cache.directory + "/datasets"
    try FileIO.createFolder(folder)
    // No process can have a pid at or above Linux's PID_MAX_LIMIT (2^22).
    let dead: Int32 = 4_194_304 + 17
    let live = getpid()
    let stale = [
      "k-train.ldset.tmp-lethe-\(dead)-1a2b", ".dat.nosync\(dead).Ab12Cd", "k-test.ldset.tmp\(dead)",
    ]
    let kept = [
      "k-train.ldset.tmp-lethe-\(live)-99", "notes.txt", "k-other.ldset",
    ]
    for name in stale + kept { try F.write([1, 2, 3], to: folder + "/" + name) }
    // A dead writer's file changed seconds ago may belong to another namespace's live writer.
    let fresh = "k-fresh.ldset.tmp-lethe-\(dead)-77"
    try F.write([1], to: folder + "/" + fresh)
    let old = Date().addingTimeInterval(-3600)
    for name in stale + kept {
      try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: folder + "/" + name)
    }
    XCTAssertNil(cache.load(key: "absent", parts: ["train"]))
    for name in stale { XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/" + name), name) }
    for name in kept + [fresh] { XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + name), name) }
    // A day-old temporary is stale whoever wrote it.
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-90_000)], ofItemAtPath: folder + "/" + kept[0])
    XCTAssertEqual(TemporaryFiles.removeStale(in: folder), [folder + "/" + kept[0]])
  }

  func testFullDiskAndUnwritableFoldersAreSaidPlainly() throws {
    // /dev/full fails every write with ENOSPC: the message names the cause.
    let fd = open("/dev/full", O_WRONLY)
    try XCTSkipIf(fd < 0, "no /dev/full")
    defer { close(fd) }
    let bytes = [UInt8](repeating: 7, count: 1020)
    XCTAssertThrowsError(try bytes.withUnsafeBytes { try FileIO.writeAll($0, to: fd, path: "/x/cache.ldset") }) {
      XCTAssertEqual("\($0)", "cannot write /x/cache.ldset: no space left on the device")
    }
    // A cache folder under a regular file cannot be created: the path and a plain reason.
    let cache = DataCache(directory: "/dev/null/lethe")
    XCTAssertThrowsError(try cache.store([try sample()], key: "k", parts: ["train"])) { error in
      let text = "\(error)"
      XCTAssertTrue(text.hasPrefix("cannot write /dev/null/lethe/datasets: "), text)
      XCTAssertFalse(text.contains("Domain="), text)
    }
    // Foundation's errors become plain reasons.
    let nsError = NSError(domain: NSCocoaErrorDomain, code: 4, userInfo: [:])
    XCTAssertEqual(FileError(action: "read", path: "/a", error: nsError).description, "cannot read /a: no such file or folder")
    let wrapped = NSError(
      domain: NSCocoaErrorDomain, code: 512,
      userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
    XCTAssertEqual(FileError.reason(of: wrapped), "no space left on the device")
    XCTAssertEqual(FileError.reason(of: CocoaError(.fileWriteOutOfSpace)), "no space left on the device")
    XCTAssertEqual(FileError.reason(of: POSIXError(.EACCES)), "permission denied")
  }

  func testAtomicWritesLeaveNoTemporaryAndReplaceTheFile() throws {
    let dir = try F.temporaryFolder(self)
    try AtomicFile.write([1, 2, 3], to: dir + "/a")
    try AtomicFile.write([4, 5], to: dir + "/a")
    XCTAssertEqual(try FileIO.read(dir + "/a"), [4, 5])
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a"])
    XCTAssertThrowsError(try AtomicFile.write([1], to: dir + "/missing/a")) {
      XCTAssertEqual("\($0)", "cannot write \(dir)/missing/a: no such file or folder")
    }
  }
}
