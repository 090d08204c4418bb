import Foundation
import TestSupport
import XCTest

@testable import Core

/// The real datasets where present: Fashion-MNIST from Debian, MNIST and CIFAR-10 (JPEG) from
/// ../shared/datasets (or $LETHE_SHARED). Counts, per-class counts and the published checksums.
final class DataRealDatasetTests: XCTestCase {
  typealias F = DataFixtures

  /// ../shared/datasets beside the repository, unless $LETHE_SHARED is set.
  static var shared: String { TestFixtures.datasetsDirectory.path }

  func sha256(_ path: String) throws -> String { SHA256.hex(of: try FileBytes.read(path)) }

  func checkIDXFolder(
    _ folder: String, checksums: [String: String], trainCounts: [Int], testCounts: [Int],
    mean: Double
  ) throws {
    for (file, expected) in checksums {
      XCTAssertEqual(try sha256(folder + "/" + file), expected, file)
    }
    let train = try IDXFile.loadDataset(
      images: folder + "/train-images-idx3-ubyte.gz",
      labels: folder + "/train-labels-idx1-ubyte.gz", name: "train")
    let test = try IDXFile.loadDataset(
      images: folder + "/t10k-images-idx3-ubyte.gz",
      labels: folder + "/t10k-labels-idx1-ubyte.gz", name: "test")
    XCTAssertEqual(train.sampleCount, 60_000)
    XCTAssertEqual(test.sampleCount, 10_000)
    XCTAssertEqual(train.sampleShape, [1, 28, 28])
    XCTAssertEqual(train.classCounts(), trainCounts)
    XCTAssertEqual(test.classCounts(), testCounts)
    XCTAssertEqual(Double(train.channelStatistics().mean[0]), mean, accuracy: 5e-4)
  }

  func testFashionMNISTFromDebian() throws {
    let folder = "/usr/share/datasets/fashion-mnist"
    try XCTSkipUnless(
      FileManager.default.fileExists(atPath: folder + "/train-images-idx3-ubyte.gz"),
      "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
    try checkIDXFolder(
      folder,
      checksums: [
        "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
        "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
      ], trainCounts: [Int](repeating: 6000, count: 10), testCounts: [Int](repeating: 1000, count: 10),
      mean: 0.2860)
    // The pixels are exactly what `gzip -dc file | tail -c +17 | sha256sum` gives: the bounded
    // inflate changes nothing the demo trains on.
    for (file, digest) in [
      ("train-images-idx3-ubyte.gz", "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012"),
      ("t10k-images-idx3-ubyte.gz", "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a"),
    ] {
      XCTAssertEqual(SHA256.hex(of: try IDXFile.read(folder + "/" + file).bytes), digest, file)
    }
  }

  func testMNISTFromShared() throws {
    let folder = DataRealDatasetTests.shared + "/mnist"
    try XCTSkipUnless(
      FileManager.default.fileExists(atPath: folder + "/train-images-idx3-ubyte.gz"),
      "MNIST not at \(folder)")
    try checkIDXFolder(
      folder,
      checksums: [
        "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
        "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
        "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
        "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
      ], trainCounts: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
      testCounts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], mean: 0.1307)
  }

  func testCatalogFindsRealDatasetsAndScenariosReproduce() throws {
    let catalog = DatasetCatalog(
      environment: ["LETHE_SHARED": DataRealDatasetTests.shared],
      projectRoots: [], cache: DataCache(directory: try F.temporaryFolder(self)))
    let listed = Dictionary(uniqueKeysWithValues: catalog.list().map { ($0.name, $0) })
    XCTAssertEqual(Set(listed.keys), Set(DatasetCatalog.entries.map(\.name)))
    XCTAssertTrue(listed["purchase-synthetic"]!.isPresent)
    let mnistHere = FileManager.default.fileExists(atPath: DataRealDatasetTests.shared + "/mnist")
    XCTAssertEqual(listed["mnist"]!.isPresent, mnistHere)
    try XCTSkipUnless(mnistHere, "MNIST not in \(DataRealDatasetTests.shared)")
    let mnist = try catalog.load("mnist")
    XCTAssertEqual(mnist.train.normalization.mean[0], 0.1307, accuracy: 5e-4)
    let s1 = try ForgetScenario.sample(
      train: mnist.train, test: mnist.test, fraction: 0.01, seed: 42, dataset: "mnist")
    let s2 = try ForgetScenario.sample(
      train: mnist.train, test: mnist.test, fraction: 0.01, seed: 42, dataset: "mnist")
    XCTAssertEqual(s1.forgetIndices.count, 600)
    XCTAssertEqual(s1.digest, s2.digest)
    let label = try ForgetScenario.label(train: mnist.train, test: mnist.test, labels: [3], dataset: "mnist")
    XCTAssertEqual(label.forgetIndices.count, 6131)
    XCTAssertEqual(label.testForgetIndices.count, 1010)
  }

  /// The whole CIFAR-10 JPEG archive: first load decodes, second comes from the cache (about 11 s
  /// in a debug build on two cores; LETHE_SKIP_SLOW_TESTS=1 skips the decoding).
  func testCIFAR10JPEGFromSharedWithCache() throws {
    let tar = DataRealDatasetTests.shared + "/cifar10-images/cifar10-images.tar.gz"
    try XCTSkipUnless(FileManager.default.fileExists(atPath: tar), "CIFAR-10 JPEG not at \(tar)")
    XCTAssertEqual(try sha256(tar), "8d8437376819a5c304d3ecf515adfc156354815e7f0e7ff4df922fd55cf502ce")
    try XCTSkipIf(
      ProcessInfo.processInfo.environment["LETHE_SKIP_SLOW_TESTS"] == "1",
      "LETHE_SKIP_SLOW_TESTS=1: not decoding all of CIFAR-10 (JPEG)")
    let catalog = DatasetCatalog(
      environment: ["LETHE_SHARED": DataRealDatasetTests.shared],
      projectRoots: [], cache: DataCache(directory: try F.temporaryFolder(self)))
    let first = try catalog.load("cifar10")
    XCTAssertFalse(first.fromCache)
    XCTAssertEqual(first.train.sampleCount, 50_000)
    XCTAssertEqual(first.test.sampleCount, 10_000)
    XCTAssertEqual(first.train.classCounts(), [Int](repeating: 5000, count: 10))
    XCTAssertEqual(first.test.classCounts(), [Int](repeating: 1000, count: 10))
    XCTAssertEqual(first.train.classNames, CIFARBinary.cifar10ClassNames)
    // The usual CIFAR-10 channel means (0.491, 0.482, 0.447), give or take JPEG's loss.
    for (m, expected) in zip(first.train.normalization.mean, [0.4914, 0.4822, 0.4465] as [Float]) {
      XCTAssertEqual(m, expected, accuracy: 0.01)
    }
    let second = try catalog.load("cifar10")
    XCTAssertTrue(second.fromCache)
    XCTAssertEqual(second.train.labels, first.train.labels)
    XCTAssertEqual(
      try second.test.batch(at: [0, 9999]).inputs.storage, try first.test.batch(at: [0, 9999]).inputs.storage)
  }

  func testMissingDatasetErrorSaysWhereAndHow() throws {
    let empty = try F.temporaryFolder(self)
    let catalog = DatasetCatalog(environment: ["LETHE_DATA": empty], projectRoots: [])
    F.assertThrows(["'svhn' not found", "train_32x32.mat", empty, "/usr/share/datasets", "official SVHN"]) {
      _ = try catalog.load("svhn")
    }
    F.assertThrows(["unknown dataset 'nope'", "mnist"]) { _ = try catalog.load("nope") }
    XCTAssertEqual(catalog.searchPath.first, empty)
    let synthetic = try catalog.load("purchase-synthetic")
    XCTAssertTrue(synthetic.train.isSynthetic)
    XCTAssertEqual(synthetic.train.sampleShape, [600])
  }
}
