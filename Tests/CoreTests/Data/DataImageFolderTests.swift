import Foundation
import XCTest
@testable import Core

/// Image folders of JPEG and PNG files, on disk and inside a tar, plus the decoded-data cache.
final class DataImageFolderTests: XCTestCase {
  typealias F = DataFixtures

  /// A w×h RGB image whose colour depends on `seed` (interleaved).
  func image(_ w: Int, _ h: Int, seed: Int) -> [UInt8] {
    (0..<(w * h * 3)).map { i in UInt8((i % 3 == 0 ? 40 : i % 3 == 1 ? 120 : 200) + seed * 5 % 50) }
  }

  func testJPEGAndPNGFolderDecodesToFixedGeometry() throws {
    let dir = try F.temporaryFolder(self)
    let flat = image(8, 8, seed: 0)
    try F.write(try ImageDecoder.encodeJPEG(flat, width: 8, height: 8, channels: 3, quality: 100),
                to: dir + "/train/cat/a.jpg")
    try F.write(try ImageDecoder.encodePNG(image(16, 16, seed: 1), width: 16, height: 16, channels: 3),
                to: dir + "/train/cat/b.png")
    try F.write(try ImageDecoder.encodePNG([UInt8](repeating: 77, count: 64), width: 8, height: 8, channels: 1),
                to: dir + "/train/dog/c.png")
    try F.write(Array("ignored".utf8), to: dir + "/train/dog/.DS_Store")
    let d = try ImageFolder.load(directory: dir + "/train", name: "folder",
                                 geometry: .init(channels: 3, height: 8, width: 8))
    XCTAssertEqual(d.classNames, ["cat", "dog"])
    XCTAssertEqual(d.labels, [0, 0, 1])
    XCTAssertEqual(d.sampleShape, [3, 8, 8])
    let b = try d.batch(at: [0, 1, 2])
    // Flat colours survive JPEG (quality 100) within a few levels, and the PNG resize exactly.
    XCTAssertEqual(b.inputs.storage[0] * 255, 40, accuracy: 3)
    XCTAssertEqual(b.inputs.storage[64] * 255, 120, accuracy: 3)
    XCTAssertEqual(b.inputs.storage[192 + 128] * 255, 205, accuracy: 0.01)
    XCTAssertEqual(b.inputs.storage[384 + 64] * 255, 77, accuracy: 0.01, "grey PNG expands to RGB")
  }

  func testImageFolderErrors() throws {
    let dir = try F.temporaryFolder(self)
    try F.write(try ImageDecoder.encodePNG(image(4, 4, seed: 0), width: 4, height: 4, channels: 3),
                to: dir + "/ok/a/x.png")
    try F.write(Array("not an image at all".utf8), to: dir + "/ok/a/notes.txt")
    F.assertThrows(["notes.txt", "not a JPEG or PNG"]) {
      _ = try ImageFolder.load(directory: dir + "/ok", name: "f", geometry: .init(channels: 3, height: 4, width: 4))
    }
    let jpeg = try ImageDecoder.encodeJPEG(image(8, 8, seed: 0), width: 8, height: 8, channels: 3)
    try F.write(Array(jpeg.prefix(jpeg.count / 3)), to: dir + "/cut/a/x.jpg")
    F.assertThrows(["x.jpg", "bad JPEG"]) {
      _ = try ImageFolder.load(directory: dir + "/cut", name: "f", geometry: .init(channels: 3, height: 8, width: 8))
    }
    var png = try ImageDecoder.encodePNG(image(4, 4, seed: 0), width: 4, height: 4, channels: 3)
    png[20] ^= 0xFF
    try F.write(png, to: dir + "/png/a/x.png")
    F.assertThrows(["x.png", "bad PNG"]) {
      _ = try ImageFolder.load(directory: dir + "/png", name: "f", geometry: .init(channels: 3, height: 4, width: 4))
    }
    try FileManager.default.createDirectory(atPath: dir + "/none", withIntermediateDirectories: true)
    F.assertThrows(["none", "no class subfolders"]) {
      _ = try ImageFolder.load(directory: dir + "/none", name: "f", geometry: .init(channels: 3, height: 4, width: 4))
    }
    F.assertThrows(["channels", "2"]) {
      _ = try ImageFolder.load(directory: dir + "/ok", name: "f", geometry: .init(channels: 2, height: 4, width: 4))
    }
  }

  func testTarOfImageFoldersAndCache() throws {
    let dir = try F.temporaryFolder(self)
    var members: [(String, [UInt8])] = []
    for (split, count) in [("train", 3), ("test", 1)] {
      for cls in ["airplane", "bird"] {
        for i in 0..<count {
          let px = [UInt8](repeating: UInt8(cls == "bird" ? 200 : 10), count: 32 * 32 * 3)
          members.append(("\(split)/\(cls)/\(String(format: "%04d", i)).jpg",
                          try ImageDecoder.encodeJPEG(px, width: 32, height: 32, channels: 3)))
        }
      }
    }
    let tarBytes = F.tar(members)
    try F.write(F.gzip(tarBytes), to: dir + "/data/cifar10-images/cifar10-images.tar.gz")
    let catalog = DatasetCatalog(environment: ["LETHE_DATA": dir + "/data"], projectRoots: [],
                                 cache: DataCache(directory: dir + "/cache"))
    let first = try catalog.load("cifar10", options: { var o = LoadOptions(); o.normalize = false; return o }())
    XCTAssertFalse(first.fromCache)
    XCTAssertEqual(first.train.sampleCount, 6)
    XCTAssertEqual(first.test.sampleCount, 2)
    XCTAssertEqual(first.train.classNames, ["airplane", "bird"])
    XCTAssertEqual(first.train.classCounts(), [3, 3])
    let second = try catalog.load("cifar10", options: { var o = LoadOptions(); o.normalize = false; return o }())
    XCTAssertTrue(second.fromCache)
    XCTAssertEqual(second.train.labels, first.train.labels)
    XCTAssertEqual(try second.train.batch(at: [0, 5]).inputs.storage, try first.train.batch(at: [0, 5]).inputs.storage)
    // Nothing was written beside the source.
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/data/cifar10-images"),
                   ["cifar10-images.tar.gz"])
    // A changed source is decoded afresh (the key includes its checksum).
    members.removeLast()
    try F.write(F.gzip(F.tar(members)), to: dir + "/data/cifar10-images/cifar10-images.tar.gz")
    let third = try catalog.load("cifar10")
    XCTAssertFalse(third.fromCache)
    XCTAssertEqual(third.test.sampleCount, 1)
    // A broken tar names the archive.
    var broken = tarBytes
    broken[100] ^= 0x7F
    XCTAssertThrowsError(try TarArchive(bytes: broken, file: "x.tar")) { e in
      XCTAssertTrue("\(e)".contains("x.tar") && "\(e)".contains("checksum"), "\(e)")
    }
    XCTAssertThrowsError(try TarArchive(bytes: Array(tarBytes.prefix(1500)), file: "y.tar")) { e in
      XCTAssertTrue("\(e)".contains("y.tar") && "\(e)".contains("truncated"), "\(e)")
    }
  }
}
