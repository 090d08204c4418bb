import Foundation
import XCTest
@testable import Core

/// Writers for small files in the real formats, used by the data tests.
enum DataFixtures {
  /// A fresh temporary folder, removed when the test ends.
  static func temporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "lethe-data-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  static func write(_ bytes: [UInt8], to path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  static func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
  static func le(_ v: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8((v >> (8 * $0)) & 0xFF) } }

  static func idx(shape: [Int], bytes: [UInt8]) -> [UInt8] {
    [0, 0, 8, UInt8(shape.count)] + shape.flatMap(be32) + bytes
  }

  static func gzip(_ bytes: [UInt8]) -> [UInt8] { Deflate.compress(bytes, wrapping: .gzip) }

  static func npy(descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    return [0x93] + Array("NUMPY".utf8) + [1, 0] + le(header.utf8.count, 2) + Array(header.utf8) + data
  }

  static func floatBytes(_ v: [Float]) -> [UInt8] { v.withUnsafeBytes { Array($0) } }
  static func int64Bytes(_ v: [Int64]) -> [UInt8] { v.withUnsafeBytes { Array($0) } }

  /// A zip archive; `deflate` compresses members, `zip64` writes zip64 records as NumPy does.
  static func zip(_ members: [(String, [UInt8])], deflate: Bool, zip64: Bool) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for (name, data) in members {
      let payload = deflate ? Deflate.compress(data, wrapping: .raw) : data
      let crc = Int(Deflate.crc(data))
      let offset = out.count
      let method = deflate ? 8 : 0
      let nameBytes = Array(name.utf8)
      let extra64 = le(0x0001, 2) + le(16, 2) + le(data.count, 8) + le(payload.count, 8)
      out += le(0x0403_4b50, 4) + le(45, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4)
      out += zip64 ? le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) : le(payload.count, 4) + le(data.count, 4)
      out += le(nameBytes.count, 2) + le(zip64 ? extra64.count : 0, 2) + nameBytes + (zip64 ? extra64 : [])
      out += payload
      let cdExtra = zip64 ? le(0x0001, 2) + le(24, 2) + le(data.count, 8) + le(payload.count, 8) + le(offset, 8) : []
      central += le(0x0201_4b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4)
      central += zip64 ? le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) : le(payload.count, 4) + le(data.count, 4)
      central += le(nameBytes.count, 2) + le(cdExtra.count, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
      central += le(zip64 ? 0xFFFF_FFFF : offset, 4) + nameBytes + cdExtra
    }
    let cdOffset = out.count
    out += central
    if zip64 {
      let z = out.count
      out += le(0x0606_4b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
      out += le(members.count, 8) + le(members.count, 8) + le(central.count, 8) + le(cdOffset, 8)
      out += le(0x0706_4b50, 4) + le(0, 4) + le(z, 8) + le(1, 4)
      out += le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2)
      out += le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
    } else {
      out += le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(members.count, 2) + le(members.count, 2)
      out += le(central.count, 4) + le(cdOffset, 4) + le(0, 2)
    }
    return out
  }

  /// A ustar archive of regular files.
  static func tar(_ members: [(String, [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    for (name, data) in members {
      var h = [UInt8](repeating: 0, count: 512)
      func put(_ s: String, _ at: Int) { for (i, b) in s.utf8.enumerated() { h[at + i] = b } }
      put(name, 0)
      put("0000644", 100)
      put("0000000", 108)
      put("0000000", 116)
      put(String(format: "%011o", data.count), 124)
      put("00000000000", 136)
      h[156] = UInt8(ascii: "0")
      put("ustar", 257)
      put("00", 263)
      for i in 148..<156 { h[i] = 32 }
      let sum = h.reduce(0) { $0 + Int($1) }
      put(String(format: "%06o", sum), 148)
      h[154] = 0
      out += h + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }
    return out + [UInt8](repeating: 0, count: 1024)
  }

  /// One MATLAB level-5 data element (tag, data, padding to 8 bytes).
  static func matElement(_ type: Int, _ data: [UInt8]) -> [UInt8] {
    le(type, 4) + le(data.count, 4) + data + [UInt8](repeating: 0, count: (8 - data.count % 8) % 8)
  }

  /// A numeric matrix element: class (mx*), dimensions, name, data stored as `dataType` (mi*).
  static func matMatrix(name: String, mxClass: Int, dims: [Int], dataType: Int, data: [UInt8]) -> [UInt8] {
    let flags = matElement(6, le(mxClass, 4) + le(0, 4))
    let dimsElement = matElement(5, dims.flatMap { le($0, 4) })
    let nameBytes = Array(name.utf8)
    // Names of up to 4 characters use the small data element format, as MATLAB writes them.
    let nameElement = nameBytes.count <= 4
      ? le(nameBytes.count << 16 | 1, 4) + nameBytes + [UInt8](repeating: 0, count: 4 - nameBytes.count)
      : matElement(1, nameBytes)
    return matElement(14, flags + dimsElement + nameElement + matElement(dataType, data))
  }

  static func matFile(_ elements: [[UInt8]], compressed: Bool) -> [UInt8] {
    var header = Array("MATLAB 5.0 MAT-file, written by Lethe's tests".utf8)
    header += [UInt8](repeating: 32, count: 116 - header.count)
    header += [UInt8](repeating: 0, count: 8) + [0, 1] + [UInt8(ascii: "I"), UInt8(ascii: "M")]
    var body: [UInt8] = []
    for e in elements {
      if compressed {
        let z = Deflate.compress(e, wrapping: .zlib)
        body += le(15, 4) + le(z.count, 4) + z
      } else {
        body += e
      }
    }
    return header + body
  }

  /// Asserts that `body` throws a DataError whose text contains every fragment.
  static func assertThrows(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                           _ body: () throws -> Void) {
    do {
      try body()
      XCTFail("expected an error containing \(fragments)", file: file, line: line)
    } catch let error as DataError {
      for f in fragments {
        XCTAssertTrue(error.description.contains(f), "'\(error)' lacks '\(f)'", file: file, line: line)
      }
    } catch {
      XCTFail("unexpected error type \(error)", file: file, line: line)
    }
  }
}
