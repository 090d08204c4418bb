import Foundation
import XCTest

@testable import Core

/// Each named dataset found through the search path in each of its layouts (small files written here).
final class DataCatalogTests: XCTestCase {
  typealias F = DataFixtures

  func catalog(_ data: String, extra: [String: String] = [:]) throws -> DatasetCatalog {
    DatasetCatalog(
      environment: ["LETHE_DATA": data].merging(extra) { $1 }, projectRoots: [],
      cache: DataCache(directory: try F.temporaryFolder(self)))
  }

  func testBinaryCIFARSVHNAndPurchaseLayouts() throws {
    let dir = try F.temporaryFolder(self)
    // CIFAR-10 binary batches take precedence over other layouts.
    for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
      try F.write([4] + [UInt8](repeating: 9, count: 3072), to: dir + "/cifar-10-batches-bin/" + name)
    }
    // SVHN: one 32×32 image per split.
    let x = [UInt8](repeating: 5, count: 32 * 32 * 3)
    for split in ["train", "test"] {
      let mat = F.matFile(
        [
          F.matMatrix(name: "X", mxClass: 9, dims: [32, 32, 3, 1], dataType: 2, data: x),
          F.matMatrix(name: "y", mxClass: 6, dims: [1, 1], dataType: 2, data: [10]),
        ], compressed: true)
      try F.write(mat, to: "\(dir)/svhn/\(split)_32x32.mat")
    }
    // Purchase as one text file (split 80/20 with seed 0).
    let lines = (0..<10).map { i in
      "\(i % 2 + 1)," + (0..<6).map { j in String((i + j) % 2) }.joined(separator: ",")
    }
    try F.write(Array(lines.joined(separator: "\n").utf8), to: dir + "/purchase/dataset_purchase")
    let c = try catalog(dir)
    let cifar = try c.load("cifar10")
    XCTAssertEqual(cifar.train.sampleCount, 5)
    XCTAssertEqual(cifar.train.classNames[4], "deer")
    XCTAssertTrue(cifar.location.hasSuffix("cifar-10-batches-bin"))
    let svhn = try c.load("svhn")
    XCTAssertEqual(svhn.train.labels, [0])
    let purchase = try c.load("purchase")
    XCTAssertEqual(purchase.train.sampleCount, 8)
    XCTAssertEqual(purchase.test.sampleCount, 2)
    XCTAssertEqual(purchase.train.classCount, 2)
    XCTAssertEqual(try c.load("purchase").test.labels, purchase.test.labels, "the split is seeded")
    let present = Set(c.list().filter(\.isPresent).map(\.name))
    XCTAssertTrue(present.isSuperset(of: ["cifar10", "svhn", "purchase", "purchase-synthetic"]))
    XCTAssertFalse(present.contains("cifar100"))
  }

  func testImageNetSubsetFolderIsResized() throws {
    let dir = try F.temporaryFolder(self)
    for (split, cls) in [
      ("train", "n01440764"), ("train", "n02102040"), ("val", "n01440764"), ("val", "n02102040"),
    ] {
      let png = try ImageDecoder.encodePNG(
        [UInt8](repeating: 90, count: 40 * 30 * 3), width: 40, height: 30,
        channels: 3)
      try F.write(png, to: "\(dir)/subset/\(split)/\(cls)/a.png")
    }
    let c = try catalog(dir + "/nowhere", extra: ["LETHE_IMAGENET_SUBSET": dir + "/subset"])
    var options = LoadOptions()
    options.imageSize = 16
    options.normalize = false
    let d = try c.load("imagenet-subset", options: options)
    XCTAssertEqual(d.train.sampleShape, [3, 16, 16])
    XCTAssertEqual(d.train.classNames, ["n01440764", "n02102040"])
    XCTAssertEqual(try d.test.batch(at: [1]).inputs.storage[100] * 255, 90, accuracy: 0.01)
    XCTAssertFalse(d.fromCache)
    XCTAssertTrue(try c.load("imagenet-subset", options: options).fromCache)
    // Moving an image to another class changes the key.
    try FileManager.default.moveItem(
      atPath: dir + "/subset/val/n02102040/a.png", toPath: dir + "/subset/val/n01440764/b.png")
    let moved = try c.load("imagenet-subset", options: options)
    XCTAssertFalse(moved.fromCache)
    XCTAssertEqual(moved.test.classCounts(), [2, 0])
  }
}
