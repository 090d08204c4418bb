import XCTest

@testable import Core

/// Forget scenarios, views, mini-batches, augmentation and k-means: seeded and reproducible.
final class DataScenarioTests: XCTestCase {
  typealias F = DataFixtures

  /// 100 tiny 1×2×2 images, label i mod 5; pixel values encode the index.
  func toy(_ n: Int = 100, classes: Int = 5) throws -> Dataset {
    try Dataset(
      name: "toy", sampleShape: [1, 2, 2], classCount: classes,
      labels: (0..<n).map { Int32($0 % classes) },
      storage: .bytes((0..<(n * 4)).map { UInt8($0 / 4 % 256) }, scale: 1), origin: "toy")
  }

  func testSampleScenarioIsSeededAndExact() throws {
    let train = try toy(), test = try toy(20)
    let a = try ForgetScenario.sample(train: train, test: test, fraction: 0.1, seed: 7, dataset: "toy")
    let b = try ForgetScenario.sample(train: train, test: test, fraction: 0.1, seed: 7, dataset: "toy")
    let c = try ForgetScenario.sample(train: train, test: test, fraction: 0.1, seed: 8, dataset: "toy")
    XCTAssertEqual(a, b)
    XCTAssertEqual(a.digest.count, 64)
    XCTAssertNotEqual(a.forgetIndices, c.forgetIndices)
    XCTAssertNotEqual(a.digest, c.digest)
    XCTAssertEqual(a.forgetIndices.count, 10)
    XCTAssertEqual(Set(a.forgetIndices).union(a.retainIndices), Set(0..<100))
    XCTAssertTrue(Set(a.forgetIndices).isDisjoint(with: a.retainIndices))
    let v = try a.views(train: train, test: test)
    XCTAssertEqual(try v.forget.batch(at: [0]).inputs.storage[0], Float(a.forgetIndices[0]))
    // Round-trips through JSON (for caches and reports).
    let decoded = try JSONDecoder().decode(ForgetScenario.self, from: JSONEncoder().encode(a))
    XCTAssertEqual(decoded, a)
    F.assertThrows(["sample(0.001)", "empty"]) {
      _ = try ForgetScenario.sample(train: train, test: test, fraction: 0.001, seed: 1, dataset: "toy")
    }
    F.assertThrows(["sample(1.5)", "fraction"]) {
      _ = try ForgetScenario.sample(train: train, test: test, fraction: 1.5, seed: 1, dataset: "toy")
    }
  }

  func testLabelScenarioSplitsTrainAndTest() throws {
    let train = try toy(), test = try toy(20)
    let s = try ForgetScenario.label(train: train, test: test, labels: [3, 1], dataset: "toy")
    XCTAssertEqual(s.forgetIndices.count, 40)
    XCTAssertTrue(s.forgetIndices.allSatisfy { [1, 3].contains($0 % 5) })
    XCTAssertEqual(s.testForgetIndices.count, 8)
    XCTAssertEqual(s.testRetainIndices.count, 12)
    let v = try s.views(train: train, test: test)
    XCTAssertEqual(Set(v.forget.allLabels), [1, 3])
    XCTAssertEqual(Set(v.testRetain.allLabels), [0, 2, 4])
    let r1 = try ForgetScenario.randomLabels(train: train, test: test, count: 3, seed: 5, dataset: "toy")
    let r2 = try ForgetScenario.randomLabels(train: train, test: test, count: 3, seed: 5, dataset: "toy")
    XCTAssertEqual(r1, r2)
    F.assertThrows(["label [7]", "label 7 outside"]) {
      _ = try ForgetScenario.label(train: train, test: test, labels: [7], dataset: "toy")
    }
    F.assertThrows(["empty forget set"]) {
      _ = try ForgetScenario.label(train: train, test: test, labels: [], dataset: "toy")
    }
    let sparse = try Dataset(
      name: "s", sampleShape: [1], classCount: 3, labels: [0, 0, 1],
      storage: .bytes([0, 0, 0], scale: 1), origin: "s")
    F.assertThrows(["label [2]", "no training sample"]) {
      _ = try ForgetScenario.label(train: sparse, test: sparse, labels: [2], dataset: "s")
    }
  }

  func testLabelCountRenumbers() throws {
    let train = try toy(), test = try toy(20)
    let s = try ForgetScenario.labelCount(
      train: train, test: test, keep: 3, keptLabels: [4, 0, 2], forget: [1],
      seed: 0, dataset: "toy")
    XCTAssertEqual(s.classCount, 3)
    let v = try s.views(train: train, test: test)
    XCTAssertEqual(Set(v.forget.allLabels), [1], "old label 0 is new label 1")
    XCTAssertTrue(v.forget.indices.allSatisfy { $0 % 5 == 0 })
    XCTAssertEqual(Set(v.retain.allLabels), [0, 2])
    XCTAssertEqual(v.train.sampleCount, 60)
    XCTAssertEqual(v.test.classCount, 3)
    XCTAssertEqual(Set(try v.retain.batch(at: [0, 1, 2, 3]).labels).isSubset(of: [0, 2]), true)
    let r = try ForgetScenario.labelCount(train: train, test: test, keep: 4, seed: 9, dataset: "toy")
    XCTAssertEqual(
      r, try ForgetScenario.labelCount(train: train, test: test, keep: 4, seed: 9, dataset: "toy"))
    F.assertThrows(["K=1", "K must be"]) {
      _ = try ForgetScenario.labelCount(train: train, test: test, keep: 1, seed: 0, dataset: "toy")
    }
    F.assertThrows(["K=2", "every kept label"]) {
      _ = try ForgetScenario.labelCount(
        train: train, test: test, keep: 2, forget: [0, 1], seed: 0, dataset: "toy")
    }
  }

  func testNormalisationAndAugmentation() throws {
    // A 1×3×3 image with distinct pixels 1…9.
    let d0 = try Dataset(
      name: "img", sampleShape: [1, 3, 3], classCount: 2, labels: [1],
      storage: .bytes((1...9).map(UInt8.init), scale: 1), origin: "img")
    let stats = d0.channelStatistics()
    XCTAssertEqual(stats.mean[0], 5, accuracy: 1e-5)
    XCTAssertEqual(stats.std[0], (60.0 / 9).squareRoot(), accuracy: 1e-4)
    let d = try d0.normalized(stats)
    let plain = try d.batch(at: [0]).inputs.storage
    XCTAssertEqual(plain.reduce(0, +), 0, accuracy: 1e-4)
    // Shifted crops with flips: each output equals a shifted/mirrored copy, zero padding → b.
    var seen = Set<[Float]>()
    var g = RandomGenerator(seed: 11)
    for _ in 0..<200 {
      let out = try d.batch(
        at: [0], augmentation: Augmentation(padding: 1, horizontalFlip: true), generator: &g)
      seen.insert(out.inputs.storage.map { ($0 * stats.std[0] + stats.mean[0]).rounded() })
    }
    XCTAssertEqual(seen.count, 18, "9 shifts × 2 flips")
    XCTAssertTrue(seen.contains([3, 2, 1, 6, 5, 4, 9, 8, 7]), "pure flip")
    XCTAssertTrue(seen.contains([0, 0, 0, 0, 1, 2, 0, 4, 5]), "shift down-right with zero padding")
    // The augmented view replays the same stream after reset.
    let view = AugmentedSource(d, augmentation: Augmentation(padding: 1, horizontalFlip: true), seed: 4)
    let first = try (0..<5).map { _ in try view.batch(at: [0]).inputs.storage }
    view.reset()
    XCTAssertEqual(try (0..<5).map { _ in try view.batch(at: [0]).inputs.storage }, first)
    F.assertThrows(["normalization", "2 channels"]) { _ = try d.normalized(.identity(channels: 2)) }
  }

  func testKMeansIsDeterministicAndFindsClusters() throws {
    let (train, test) = try PurchaseSynthetic.generate(
      classes: 4, trainCount: 400, testCount: 40, features: 64,
      noise: 0.05, seed: 2)
    let a = try KMeansRelabelling(dataset: train, clusters: 4, seed: 1)
    let b = try KMeansRelabelling(dataset: train, clusters: 4, seed: 1)
    XCTAssertEqual(a.labels, b.labels)
    XCTAssertEqual(a.digest, b.digest)
    // Well-separated prototypes: every cluster is one generating class (up to renaming).
    var pairs = Set<[Int]>()
    for i in 0..<train.sampleCount { pairs.insert([train.label(at: i), a.labels[i]]) }
    XCTAssertEqual(pairs.count, 4)
    let relabelled = try a.relabelTraining(train)
    XCTAssertEqual(relabelled.classCount, 4)
    XCTAssertEqual(try relabelled.batch(at: [0, 1]).labels, [a.labels[0], a.labels[1]])
    // Test samples go to the cluster of their generating class.
    let testLabels = try a.relabelByNearestCentroid(test).allLabels
    for i in 0..<test.sampleCount {
      XCTAssertTrue(pairs.contains([test.label(at: i), testLabels[i]]))
    }
    // A label-count scenario on the relabelled Purchase.
    let s = try ForgetScenario.labelCount(
      train: relabelled, test: try a.relabelByNearestCentroid(test), keep: 3, seed: 1, dataset: "p")
    XCTAssertEqual(s.classCount, 3)
    F.assertThrows(["K=1"]) { _ = try KMeansRelabelling(dataset: train, clusters: 1, seed: 0) }
  }

  func testFloatStorageNormalisesPerChannel() throws {
    // Two samples of 2 channels × 2 values, stored as Floats.
    let d0 = try Dataset(
      name: "f", sampleShape: [2, 1, 2], classCount: 2, labels: [0, 1],
      storage: .floats([1, 3, 10, 30, 3, 1, 30, 10]), origin: "f")
    let stats = d0.channelStatistics()
    XCTAssertEqual(stats.mean, [2, 20])
    XCTAssertEqual(stats.std, [1, 10])
    let b = try d0.normalized(stats).batch(at: [1])
    XCTAssertEqual(b.inputs.storage, [1, -1, 1, -1])
    XCTAssertEqual(b.labels, [1])
  }

  func testDatasetRejectsInconsistentInput() {
    F.assertThrows(["o", "label 3 outside"]) {
      _ = try Dataset(
        name: "d", sampleShape: [1], classCount: 3, labels: [3], storage: .bytes([0], scale: 1), origin: "o")
    }
    F.assertThrows(["o", "2 stored values"]) {
      _ = try Dataset(
        name: "d", sampleShape: [1], classCount: 3, labels: [0], storage: .bytes([0, 1], scale: 1),
        origin: "o")
    }
  }
}
