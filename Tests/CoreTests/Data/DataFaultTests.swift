import Foundation
import XCTest

@testable import Core

/// Issue 17's file faults, each now a clear error: Purchase labels that trapped or made millions
/// of classes, train/test splits that disagree, a gzip bomb, and MAT elements that inflate past
/// what they declare.
final class DataFaultTests: XCTestCase {
  typealias F = DataFixtures

  func purchaseNPZ(labels: [Int64], rows: Int = 3) -> [UInt8] {
    let features = F.npy(descr: "|u1", shape: [rows, 2], data: [UInt8](repeating: 1, count: rows * 2))
    let y = F.npy(descr: "<i8", shape: [labels.count], data: F.int64Bytes(labels))
    return F.zip([("features.npy", features), ("labels.npy", y)], deflate: true, zip64: false)
  }

  func testPurchaseLabelsBeyondAnySaneClassCountAreErrors() throws {
    // 2^31 and 2^63−1 trapped (Int32(…), max + 1); 1e8 made a 100,000,001-class split.
    for huge: Int64 in [1 << 31, Int64.max, 100_000_000] {
      F.assertThrows(["p.npz", "label \(huge)", "too large", "\(Dataset.maxClassCount) classes"]) {
        _ = try PurchaseFile.parseNPZ(self.purchaseNPZ(labels: [0, huge, 1]), file: "p.npz", name: "p")
      }
    }
    F.assertThrows(["p.npz", "label \(Int64.min)", "below 0"]) {
      _ = try PurchaseFile.parseNPZ(self.purchaseNPZ(labels: [0, .min, 1]), file: "p.npz", name: "p")
    }
    // A float label of 1e8 (one-hot-free float arrays) is caught the same way.
    let features = F.npy(descr: "|u1", shape: [2, 2], data: [1, 0, 0, 1])
    let y = F.npy(descr: "<f4", shape: [2], data: F.floatBytes([0, 1e8]))
    let npz = F.zip([("features.npy", features), ("labels.npy", y)], deflate: false, zip64: false)
    F.assertThrows(["label 100000000", "too large"]) {
      _ = try PurchaseFile.parseNPZ(npz, file: "f.npz", name: "p")
    }
    // Text labels: the same check (a 9-digit label is accepted by the parser, refused here).
    F.assertThrows(["t.txt", "label 999999999", "too large"]) {
      _ = try PurchaseFile.parseText(Array("1,0,1\n999999999,1,1\n".utf8), file: "t.txt", name: "p")
    }
    F.assertThrows(["class count", "1…\(Dataset.maxClassCount)"]) {
      _ = try PurchaseFile.parseNPZ(self.purchaseNPZ(labels: [0, 1, 1]), file: "p.npz", name: "p", classCount: 0)
    }
    XCTAssertThrowsError(
      try Dataset(
        name: "d", sampleShape: [1], classCount: Dataset.maxClassCount + 1, labels: [0],
        storage: .bytes([0], scale: 1), origin: "o"))
  }

  func testTrainAndTestSplitsMustAgree() throws {
    let dir = try F.temporaryFolder(self)
    // MNIST with an 8×8 training split and a 4×4 test split loaded silently before.
    let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    try F.write(F.idx(shape: [2, 8, 8], bytes: [UInt8](repeating: 3, count: 128)), to: "\(dir)/mnist/\(names[0])")
    try F.write(F.idx(shape: [2], bytes: [1, 2]), to: "\(dir)/mnist/\(names[1])")
    try F.write(F.idx(shape: [2, 4, 4], bytes: [UInt8](repeating: 3, count: 32)), to: "\(dir)/mnist/\(names[2])")
    try F.write(F.idx(shape: [2], bytes: [1, 2]), to: "\(dir)/mnist/\(names[3])")
    let catalog = DatasetCatalog(
      environment: ["LETHE_DATA": dir], projectRoots: [], cache: DataCache(directory: try F.temporaryFolder(self)))
    F.assertThrows(["t10k-images-idx3-ubyte", "1 channel(s) × 4×4", "1 channel(s) × 8×8"]) {
      _ = try catalog.load("mnist")
    }
    // Purchase .npz pair: the test split takes the training split's class count (it may lack
    // classes), and a test label beyond it is an error rather than a split of its own size.
    try F.write(purchaseNPZ(labels: [0, 3, 1]), to: "\(dir)/purchase/purchase_train.npz")
    try F.write(purchaseNPZ(labels: [0, 1, 1]), to: "\(dir)/purchase/purchase_test.npz")
    let splits = try catalog.load("purchase")
    XCTAssertEqual(splits.train.classCount, 4)
    XCTAssertEqual(splits.test.classCount, 4)
    try F.write(purchaseNPZ(labels: [0, 1, 7]), to: "\(dir)/purchase/purchase_test.npz")
    F.assertThrows(["purchase_test.npz", "label 7", "outside 0..<4"]) { _ = try catalog.load("purchase") }
    // Splits that differ in class count are refused whatever their loader.
    let a = try Dataset(name: "a", sampleShape: [2], classCount: 3, labels: [0], storage: .bytes([0, 1], scale: 1), origin: "a")
    let b = try Dataset(name: "b", sampleShape: [2], classCount: 5, labels: [0], storage: .bytes([0, 1], scale: 1), origin: "b")
    F.assertThrows(["b", "5 classes", "3"]) {
      try DatasetSplits(train: a, test: b, location: "x", fromCache: false).checkAgreement()
    }
  }

  func testGzipBombStopsAtTheSizeTheHeaderDeclares() throws {
    // 32 MiB of zeros behind a header declaring 16 bytes of data: inflation stops past 32 bytes.
    var raw = F.idx(shape: [4, 2, 2], bytes: [UInt8](repeating: 0, count: 16))
    raw += [UInt8](repeating: 0, count: 32 << 20)
    let bomb = F.gzip(raw)
    XCTAssertLessThan(bomb.count, 64 << 10, "a real bomb: tiny compressed")
    F.assertThrows(["bomb.gz", "longer than its header says", "more than 32 bytes"]) {
      _ = try IDXFile.decode(bomb, file: "bomb.gz")
    }
    // A header that claims more than any file may hold fails as soon as it is out.
    let impossible = F.gzip(F.idx(shape: [65535, 65535, 65535], bytes: []))
    F.assertThrows(["impossible size"]) { _ = try IDXFile.decode(impossible, file: "big.gz") }
    // Honest files still load, including gzip files of several members.
    let good = F.idx(shape: [3, 2, 2], bytes: Array(0..<12))
    XCTAssertEqual(try IDXFile.decode(F.gzip(good), file: "g.gz").bytes, Array(0..<12))
    let twoMembers = F.gzip(Array(good[0..<10])) + F.gzip(Array(good[10...]))
    XCTAssertEqual(try IDXFile.decode(twoMembers, file: "two.gz").shape, [3, 2, 2])
    // Headerless formats have a maximum: a CIFAR batch never exceeds 100,000 records.
    XCTAssertEqual(CIFARBinary.maxRecordsPerFile, 100_000)
  }

  func testCompressedMATElementMayNotInflatePastItsTag() throws {
    // The inner element's tag says 8 bytes; 1 MiB follows inside the same zlib stream.
    let inner = F.le(14, 4) + F.le(8, 4) + [UInt8](repeating: 0, count: 1 << 20)
    let z = Deflate.compress(inner, wrapping: .zlib)
    let file = F.matFile([], compressed: false) + F.le(15, 4) + F.le(z.count, 4) + z
    F.assertThrows(["m.mat", "longer than its header says"]) { _ = try MATFile.parse(file, file: "m.mat") }
    // Nested compressed elements (which MATLAB never writes) are refused, not recursed into.
    let once = Deflate.compress(F.le(1, 4) + F.le(0, 4), wrapping: .zlib)
    let nested = F.le(15, 4) + F.le(once.count, 4) + once
    let twice = Deflate.compress(nested, wrapping: .zlib)
    let outer = F.matFile([], compressed: false) + F.le(15, 4) + F.le(twice.count, 4) + twice
    F.assertThrows(["nested"]) { _ = try MATFile.parse(outer, file: "n.mat") }
  }

  func testJPEGClaimingAHugeImageStopsWhereItsDataEnds() throws {
    // Found by libFuzzer (a timeout): 221 bytes whose frame header claims 63,702×2,056 pixels.
    // libjpeg padded the missing data with grey for seconds and hundreds of megabytes; decoding
    // now stops where the data ends.
    let here = (#filePath as NSString).deletingLastPathComponent
    let path = here + "/../../Fuzz/corpus/image/crash-timeout-huge-jpeg"
    let bytes = try FileBytes.read(path)
    XCTAssertEqual(bytes.count, 221)
    F.assertThrows(["huge.jpg", "bad JPEG", "truncated"]) {
      _ = try bytes.withUnsafeBufferPointer {
        try ImageDecoder.decode($0, file: "huge.jpg", channels: 3, height: 8, width: 8)
      }
    }
  }
}
