import Foundation
import XCTest

@testable import Core

/// Damaged files never trap: seeded random truncations and byte overwrites of valid files in every
/// format must either parse or throw.
final class DataRobustnessTests: XCTestCase {
  typealias F = DataFixtures

  /// Valid samples of each format, with the parser to feed them to.
  func samples() throws -> [(String, [UInt8], ([UInt8]) throws -> Void)] {
    let img = (0..<(16 * 16 * 3)).map { UInt8($0 % 251) }
    let jpeg = try ImageDecoder.encodeJPEG(img, width: 16, height: 16, channels: 3)
    let png = try ImageDecoder.encodePNG(img, width: 16, height: 16, channels: 3)
    let npy = F.npy(descr: "<f4", shape: [2, 3], data: F.floatBytes([1, 2, 3, 4, 5, 6]))
    let x = F.matMatrix(
      name: "X", mxClass: 9, dims: [2, 2, 3, 2], dataType: 2, data: [UInt8](repeating: 3, count: 24))
    let y = F.matMatrix(name: "y", mxClass: 6, dims: [2, 1], dataType: 2, data: [1, 10])
    func decodeImage(_ b: [UInt8]) throws {
      _ = try b.withUnsafeBufferPointer {
        try ImageDecoder.decode($0, file: "f", channels: 3, height: 8, width: 8)
      }
    }
    return [
      (
        "idx", F.idx(shape: [2, 3, 3], bytes: [UInt8](repeating: 1, count: 18)),
        { _ = try IDXFile.parse($0, file: "f") }
      ),
      ("gzip", F.gzip(F.idx(shape: [4], bytes: [1, 2, 3, 4])), { _ = try Inflate.gunzip($0, file: "f") }),
      ("npy", npy, { _ = try NumPyArray.parse($0, file: "f") }),
      (
        "npz", F.zip([("a.npy", npy), ("b.npy", npy)], deflate: true, zip64: true),
        { b in
          let z = try ZipArchive(bytes: b, file: "f")
          for e in z.entries { _ = try NumPyArray.parse(try z.contents(of: e), file: "f") }
        }
      ),
      ("mat", F.matFile([x, y], compressed: false), { _ = try MATFile.parse($0, file: "f") }),
      ("mat-z", F.matFile([x, y], compressed: true), { _ = try MATFile.parse($0, file: "f") }),
      (
        "tar", F.tar([("train/a/x.jpg", jpeg), ("train/b/y.png", png)]),
        { b in
          let t = try TarArchive(bytes: b, file: "f")
          _ = try ImageFolder.load(
            tar: t, prefix: "train/", name: "t", geometry: .init(channels: 3, height: 8, width: 8),
            origin: "f")
        }
      ),
      ("jpeg", jpeg, decodeImage),
      ("png", png, decodeImage),
    ]
  }

  func testDamagedFilesThrowInsteadOfTrapping() throws {
    var g = RandomGenerator(seed: 99)
    for (name, bytes, parse) in try samples() {
      XCTAssertNoThrow(try parse(bytes), "the valid \(name) sample parses")
      for trial in 0..<400 {
        var b = bytes
        switch trial % 3 {
        case 0: b = Array(b.prefix(g.nextInt(below: b.count)))
        case 1:
          for _ in 0..<(1 + g.nextInt(below: 4)) {
            b[g.nextInt(below: b.count)] = UInt8(g.nextInt(below: 256))
          }
        default:
          let at = g.nextInt(below: max(1, b.count - 8))
          for i in at..<min(b.count, at + 8) { b[i] = 0xFF }
        }
        do { try parse(b) } catch is DataError {} catch { XCTFail("\(name): non-data error \(error)") }
      }
    }
  }

  func testJPEGCutInsideItsImageDataIsAnError() throws {
    let img = (0..<(32 * 32 * 3)).map { UInt8(($0 * 7) % 256) }
    let jpeg = try ImageDecoder.encodeJPEG(img, width: 32, height: 32, channels: 3)
    let cut = Array(jpeg.prefix(jpeg.count - 200))
    F.assertThrows(["cut.jpg", "truncated"]) {
      _ = try cut.withUnsafeBufferPointer {
        try ImageDecoder.decode($0, file: "cut.jpg", channels: 3, height: 32, width: 32)
      }
    }
  }
}
