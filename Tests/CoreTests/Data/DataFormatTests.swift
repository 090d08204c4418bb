import Foundation
import XCTest
@testable import Core

/// Loaders on small files in every format, valid and broken, written by the tests themselves.
final class DataFormatTests: XCTestCase {
  typealias F = DataFixtures

  func testSHA256KnownVectors() {
    XCTAssertEqual(SHA256.hex(of: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)),
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    XCTAssertEqual(SHA256.hex(of: long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    // Streaming in odd pieces gives the same digest as one call.
    let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    var h = SHA256()
    var offset = 0
    for piece in [1, 63, 64, 65, 1000, 7] + [Int](repeating: 99_880, count: 10) {
      let end = min(million.count, offset + piece)
      h.update(Array(million[offset..<end]))
      offset = end
    }
    h.update(Array(million[offset...]))
    XCTAssertEqual(h.finalizeHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  func testIDXRawGzippedAndDotted() throws {
    let dir = try F.temporaryFolder(self)
    let pixels = (0..<(3 * 2 * 2)).map { UInt8($0 * 20) }
    try F.write(F.idx(shape: [3, 2, 2], bytes: pixels), to: dir + "/a/train-images.idx3-ubyte")
    try F.write(F.gzip(F.idx(shape: [3], bytes: [7, 0, 9])), to: dir + "/a/train-labels-idx1-ubyte.gz")
    let d = try IDXFile.loadDataset(images: dir + "/a/train-images.idx3-ubyte",
                                    labels: dir + "/a/train-labels-idx1-ubyte.gz", name: "t")
    XCTAssertEqual(d.sampleShape, [1, 2, 2])
    XCTAssertEqual(d.labels, [7, 0, 9])
    let b = try d.batch(at: [2, 0])
    XCTAssertEqual(b.labels, [9, 7])
    XCTAssertEqual(b.inputs.shape, [2, 1, 2, 2])
    XCTAssertEqual(b.inputs.storage[0], Float(160) / 255, accuracy: 1e-6)
    XCTAssertEqual(b.inputs.storage[7], Float(60) / 255, accuracy: 1e-6)
  }

  func testIDXErrors() throws {
    let dir = try F.temporaryFolder(self)
    let good = F.idx(shape: [2, 2, 2], bytes: [UInt8](repeating: 1, count: 8))
    try F.write(Array(good.prefix(good.count - 3)), to: dir + "/trunc")
    F.assertThrows(["trunc", "truncated"]) { _ = try IDXFile.read(dir + "/trunc") }
    try F.write([1, 2, 8, 3] + Array(good[4...]), to: dir + "/magic")
    F.assertThrows(["magic", "wrong magic number"]) { _ = try IDXFile.read(dir + "/magic") }
    try F.write(good + [0, 0], to: dir + "/long")
    F.assertThrows(["long", "trailing"]) { _ = try IDXFile.read(dir + "/long") }
    try F.write(F.idx(shape: [0xFFFF_FFF, 0xFFFF_FFF, 0xFFFF_FFF], bytes: []), to: dir + "/liar")
    F.assertThrows(["liar"]) { _ = try IDXFile.read(dir + "/liar") }
    try F.write(Array(F.gzip(good).prefix(20)), to: dir + "/cut.gz")
    F.assertThrows(["cut.gz", "truncated"]) { _ = try IDXFile.read(dir + "/cut.gz") }
    try F.write([1, 2, 3], to: dir + "/fake.gz")
    F.assertThrows(["fake.gz", "gzip"]) { _ = try IDXFile.read(dir + "/fake.gz") }
    F.assertThrows(["nothing-here", "no such file"]) { _ = try IDXFile.read(dir + "/nothing-here") }
    // Counts that disagree, and a label out of range.
    try F.write(good, to: dir + "/img")
    try F.write(F.idx(shape: [3], bytes: [1, 2, 3]), to: dir + "/lab3")
    F.assertThrows(["lab3", "3 labels", "2 images"]) {
      _ = try IDXFile.loadDataset(images: dir + "/img", labels: dir + "/lab3", name: "t")
    }
    try F.write(F.idx(shape: [2], bytes: [1, 12]), to: dir + "/lab12")
    F.assertThrows(["lab12", "label 12"]) {
      _ = try IDXFile.loadDataset(images: dir + "/img", labels: dir + "/lab12", name: "t")
    }
    try F.write(F.idx(shape: [0, 2, 2], bytes: []), to: dir + "/empty")
    try F.write(F.idx(shape: [0], bytes: []), to: dir + "/empty-labels")
    F.assertThrows(["empty", "no images"]) {
      _ = try IDXFile.loadDataset(images: dir + "/empty", labels: dir + "/empty-labels", name: "t")
    }
  }

  func testCIFARBinaryBatches() throws {
    let dir = try F.temporaryFolder(self)
    var ten: [UInt8] = []
    for r in 0..<3 { ten += [UInt8(r * 3)] + (0..<3072).map { UInt8(($0 + r) % 251) } }
    try F.write(ten, to: dir + "/data_batch_1.bin")
    let d = try CIFARBinary.load(files: [dir + "/data_batch_1.bin"], variant: .cifar10, name: "c10")
    XCTAssertEqual(d.labels, [0, 3, 6])
    XCTAssertEqual(d.sampleShape, [3, 32, 32])
    let b = try d.batch(at: [1])
    XCTAssertEqual(b.inputs.storage[1024], Float((1024 + 1) % 251) / 255, accuracy: 1e-6)  // green plane
    var hundred: [UInt8] = []
    for r in 0..<2 { hundred += [UInt8(r), UInt8(90 + r)] + [UInt8](repeating: UInt8(r), count: 3072) }
    try F.write(hundred, to: dir + "/train.bin")
    let h = try CIFARBinary.load(files: [dir + "/train.bin"], variant: .cifar100, name: "c100")
    XCTAssertEqual(h.labels, [90, 91])
    XCTAssertEqual(h.classCount, 100)
    try F.write(Array(ten.prefix(5000)), to: dir + "/short.bin")
    F.assertThrows(["short.bin", "3073-byte records"]) {
      _ = try CIFARBinary.load(files: [dir + "/short.bin"], variant: .cifar10, name: "x")
    }
    var badLabel = ten
    badLabel[3073] = 10
    try F.write(badLabel, to: dir + "/label.bin")
    F.assertThrows(["label.bin", "record 1", "label 10"]) {
      _ = try CIFARBinary.load(files: [dir + "/label.bin"], variant: .cifar10, name: "x")
    }
  }

  func testNumPyArraysAndArchives() throws {
    let dir = try F.temporaryFolder(self)
    let u8 = F.npy(descr: "|u1", shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    let i8 = F.npy(descr: "<i8", shape: [3], data: F.int64Bytes([-5, 0, 1 << 40]))
    let f4 = F.npy(descr: "<f4", shape: [2, 2], data: F.floatBytes([0.5, -1, 3.25, 1e-3]))
    try F.write(u8, to: dir + "/a.npy")
    let a = try NumPyArray.read(dir + "/a.npy")
    XCTAssertEqual(a.shape, [2, 3])
    guard case .uint8(let v) = a.values else { return XCTFail("not uint8") }
    XCTAssertEqual(v, [1, 2, 3, 4, 5, 6])
    for (deflate, zip64) in [(false, false), (true, false), (true, true), (false, true)] {
      try F.write(F.zip([("x.npy", u8), ("i.npy", i8), ("f.npy", f4)], deflate: deflate, zip64: zip64),
                  to: dir + "/z.npz")
      let z = try NumPyArray.readArchive(dir + "/z.npz")
      XCTAssertEqual(Set(z.keys), ["x", "i", "f"])
      guard case .int64(let iv) = z["i"]!.values, case .float32(let fv) = z["f"]!.values else {
        return XCTFail("wrong kinds")
      }
      XCTAssertEqual(iv, [-5, 0, 1 << 40])
      XCTAssertEqual(fv, [0.5, -1, 3.25, 1e-3])
      XCTAssertEqual(z["f"]!.shape, [2, 2])
    }
    // Broken ones.
    try F.write(Array(u8.prefix(u8.count - 1)), to: dir + "/short.npy")
    F.assertThrows(["short.npy", "6 bytes", "file has 5"]) { _ = try NumPyArray.read(dir + "/short.npy") }
    try F.write([0x93] + Array("NUMPX".utf8) + [1, 0, 0, 0], to: dir + "/magic.npy")
    F.assertThrows(["magic.npy", "wrong magic"]) { _ = try NumPyArray.read(dir + "/magic.npy") }
    try F.write(F.npy(descr: ">f4", shape: [1], data: [0, 0, 0, 0]), to: dir + "/be.npy")
    F.assertThrows(["be.npy", "dtype >f4"]) { _ = try NumPyArray.read(dir + "/be.npy") }
    var zipped = F.zip([("x.npy", u8)], deflate: true, zip64: false)
    try F.write(Array(zipped.prefix(zipped.count - 10)), to: dir + "/cut.npz")
    F.assertThrows(["cut.npz"]) { _ = try NumPyArray.readArchive(dir + "/cut.npz") }
    zipped = F.zip([("x.npy", u8)], deflate: false, zip64: false)
    zipped[40] ^= 0xFF  // flip a data byte of the stored member
    try F.write(zipped, to: dir + "/crc.npz")
    F.assertThrows(["crc.npz", "x.npy", "CRC-32"]) { _ = try NumPyArray.readArchive(dir + "/crc.npz") }
  }

  func testMATFilesAndSVHN() throws {
    let dir = try F.temporaryFolder(self)
    // Two 2×3 RGB images: X(r, c, ch, n) = 100n + 10ch + 3c + r, stored column-major.
    let rows = 2, cols = 3, n = 2
    var x: [UInt8] = []
    for s in 0..<n { for ch in 0..<3 { for c in 0..<cols { for r in 0..<rows { x.append(UInt8(100 * s + 10 * ch + 3 * c + r)) } } } }
    let y = F.matMatrix(name: "y", mxClass: 6, dims: [n, 1], dataType: 2, data: [10, 3])
    let xm = F.matMatrix(name: "X", mxClass: 9, dims: [rows, cols, 3, n], dataType: 2, data: x)
    for compressed in [false, true] {
      try F.write(F.matFile([xm, y], compressed: compressed), to: dir + "/s.mat")
      let vars = try MATFile.read(dir + "/s.mat")
      XCTAssertEqual(vars["X"]?.dimensions, [rows, cols, 3, n])
      let d = try SVHNFile.load(dir + "/s.mat", name: "svhn")
      XCTAssertEqual(d.labels, [0, 3], "10 means digit 0")
      XCTAssertEqual(d.sampleShape, [3, rows, cols])
      let b = try d.batch(at: [1])
      // Sample 1, channel 2, row 1, column 2 (row-major planar position 2·6 + 1·3 + 2).
      XCTAssertEqual(b.inputs.storage[2 * 6 + 1 * 3 + 2] * 255, Float(100 + 20 + 6 + 1), accuracy: 1e-3)
    }
    // A double stored as double, and an int16 — widened correctly.
    let d8 = F.matMatrix(name: "dbl", mxClass: 6, dims: [1, 2], dataType: 9,
                         data: [2.5, -4.0].flatMap { (v: Double) in withUnsafeBytes(of: v) { Array($0) } })
    let i16 = F.matMatrix(name: "short", mxClass: 10, dims: [1, 2], dataType: 3, data: [0xFF, 0xFF, 7, 0])
    try F.write(F.matFile([d8, i16], compressed: false), to: dir + "/t.mat")
    let t = try MATFile.read(dir + "/t.mat")
    XCTAssertEqual(t["dbl"]?.values.floatsForTest, [2.5, -4])
    XCTAssertEqual(t["short"]?.values.floatsForTest, [-1, 7])
    // Broken ones.
    let good = F.matFile([xm, y], compressed: false)
    try F.write(Array(good.prefix(good.count - 20)), to: dir + "/cut.mat")
    F.assertThrows(["cut.mat", "truncated"]) { _ = try MATFile.read(dir + "/cut.mat") }
    try F.write(Array(good.prefix(100)), to: dir + "/tiny.mat")
    F.assertThrows(["tiny.mat", "not a MAT-file"]) { _ = try MATFile.read(dir + "/tiny.mat") }
    var compressed = F.matFile([xm, y], compressed: true)
    compressed[140] ^= 0x55
    try F.write(compressed, to: dir + "/corrupt.mat")
    F.assertThrows(["corrupt.mat"]) { _ = try SVHNFile.load(dir + "/corrupt.mat", name: "s") }
    let liar = F.matMatrix(name: "X", mxClass: 9, dims: [rows, cols, 3, 5], dataType: 2, data: x)
    try F.write(F.matFile([liar, y], compressed: false), to: dir + "/liar.mat")
    F.assertThrows(["liar.mat", "'X'", "dimensions"]) { _ = try SVHNFile.load(dir + "/liar.mat", name: "s") }
    let y11 = F.matMatrix(name: "y", mxClass: 6, dims: [n, 1], dataType: 2, data: [11, 3])
    try F.write(F.matFile([xm, y11], compressed: true), to: dir + "/y11.mat")
    F.assertThrows(["y11.mat", "label 11"]) { _ = try SVHNFile.load(dir + "/y11.mat", name: "s") }
    try F.write(F.matFile([xm], compressed: false), to: dir + "/noy.mat")
    F.assertThrows(["noy.mat", "no variable 'y'"]) { _ = try SVHNFile.load(dir + "/noy.mat", name: "s") }
  }

  func testPurchaseTextAndNPZ() throws {
    let dir = try F.temporaryFolder(self)
    let text = "1,0,1,1,0\n3,1,1,0,0\r\n2,0,0,0,1\n\n"
    try F.write(Array(text.utf8), to: dir + "/dataset_purchase")
    let d = try PurchaseFile.loadText(dir + "/dataset_purchase", name: "p")
    XCTAssertEqual(d.labels, [0, 2, 1], "published labels are 1-based")
    XCTAssertEqual(d.sampleShape, [4])
    XCTAssertEqual(try d.batch(at: [1]).inputs.storage, [1, 1, 0, 0])
    try F.write(Array("1,0,1\n2,0,1,1\n".utf8), to: dir + "/ragged")
    F.assertThrows(["ragged", "line 2", "3 features", "have 2"]) { _ = try PurchaseFile.loadText(dir + "/ragged", name: "p") }
    try F.write(Array("1,0,2\n".utf8), to: dir + "/nonbinary")
    F.assertThrows(["nonbinary", "line 1", "not 0 or 1"]) { _ = try PurchaseFile.loadText(dir + "/nonbinary", name: "p") }
    try F.write(Array("1,0,x\n".utf8), to: dir + "/junk")
    F.assertThrows(["junk", "line 1"]) { _ = try PurchaseFile.loadText(dir + "/junk", name: "p") }
    try F.write([], to: dir + "/empty")
    F.assertThrows(["empty", "no samples"]) { _ = try PurchaseFile.loadText(dir + "/empty", name: "p") }
    F.assertThrows(["label 3", "outside"]) {
      _ = try PurchaseFile.loadText(dir + "/dataset_purchase", name: "p", classCount: 2)
    }
    // .npz with integer labels, and with one-hot labels.
    let features = F.npy(descr: "|u1", shape: [3, 2], data: [1, 0, 0, 1, 1, 1])
    let labels = F.npy(descr: "<i8", shape: [3], data: F.int64Bytes([2, 0, 1]))
    try F.write(F.zip([("features.npy", features), ("labels.npy", labels)], deflate: true, zip64: true),
                to: dir + "/p.npz")
    let z = try PurchaseFile.loadNPZ(dir + "/p.npz", name: "p")
    XCTAssertEqual(z.labels, [2, 0, 1])
    let onehot = F.npy(descr: "<f4", shape: [3, 4], data: F.floatBytes([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]))
    try F.write(F.zip([("features.npy", features), ("labels.npy", onehot)], deflate: false, zip64: false),
                to: dir + "/h.npz")
    let h = try PurchaseFile.loadNPZ(dir + "/h.npz", name: "p")
    XCTAssertEqual(h.labels, [2, 0, 3])
    XCTAssertEqual(h.classCount, 4)
    try F.write(F.zip([("features.npy", features)], deflate: false, zip64: false), to: dir + "/nolabels.npz")
    F.assertThrows(["nolabels.npz", "'labels'"]) { _ = try PurchaseFile.loadNPZ(dir + "/nolabels.npz", name: "p") }
    let twoLabels = F.npy(descr: "<i8", shape: [2], data: F.int64Bytes([0, 1]))
    try F.write(F.zip([("features.npy", features), ("labels.npy", twoLabels)], deflate: false, zip64: false),
                to: dir + "/count.npz")
    F.assertThrows(["count.npz", "2 labels for 3"]) { _ = try PurchaseFile.loadNPZ(dir + "/count.npz", name: "p") }
  }

  func testSyntheticPurchaseIsNamedAndSeeded() throws {
    let (a, t) = try PurchaseSynthetic.generate(classes: 5, trainCount: 200, testCount: 50, features: 40, seed: 3)
    let (b, _) = try PurchaseSynthetic.generate(classes: 5, trainCount: 200, testCount: 50, features: 40, seed: 3)
    XCTAssertTrue(a.isSynthetic && t.isSynthetic)
    XCTAssertTrue(a.name.contains("synthetic") && a.origin.contains("synthetic"))
    XCTAssertEqual(a.labels, b.labels)
    XCTAssertEqual(a.rawFloats(), b.rawFloats())
    XCTAssertEqual(a.classCounts(), [40, 40, 40, 40, 40])
    F.assertThrows(["purchase-synthetic"]) {
      _ = try PurchaseSynthetic.generate(classes: 1, trainCount: 10, testCount: 1, seed: 0)
    }
  }
}

extension NumPyArray.Values {
  var floatsForTest: [Float] { NumPyArray(shape: [], values: self).floats }
}
