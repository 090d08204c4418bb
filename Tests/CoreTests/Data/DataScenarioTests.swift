import XCTest
@testable import Core

/// Forget scenarios, views, mini-batches, augmentation and k-means: seeded and reproducible.
final class DataScenarioTests: XCTestCase {
  typealias F = DataFixtures

  /// 100 tiny 1×2×2 images, label i mod 5; pixel values encode the index.
  func toy(_ n: Int = 100, classes: Int = 5) throws -> Dataset {
    try Dataset(name: "toy", sampleShape: [1, 2, 2], classCount: classes,
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
    let sparse = try Dataset(name: "s", sampleShape: [1], classCount: 3, labels: [0, 0, 1],
                             storage: .bytes([0, 0, 0], scale: 1), origin: "s")
    F.assertThrows(["label [2]", "no training sample"]) {
      _ = try ForgetScenario.label(train: sparse, test: sparse, labels: [2], dataset: "s")
    }
  }

  func testLabelCountRenumbers() throws {
    let train = try toy(), test = try toy(20)
    let s = try ForgetScenario.labelCount(train: train, test: test, keep: 3, keptLabels: [4, 0, 2], forget: [1],
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
    XCTAssertEqual(r, try ForgetScenario.labelCount(train: train, test: test, keep: 4, seed: 9, dataset: "toy"))
    F.assertThrows(["K=1", "K must be"]) {
      _ = try ForgetScenario.labelCount(train: train, test: test, keep: 1, seed: 0, dataset: "toy")
    }
    F.assertThrows(["K=2", "every kept label"]) {
      _ = try ForgetScenario.labelCount(train: train, test: test, keep: 2, forget: [0, 1], seed: 0, dataset: "toy")
    }
  }

  func testMiniBatchesAreSeededPermutations() throws {
    let m = try MiniBatches(sampleCount: 10, batchSize: 4, seed: 3)
    XCTAssertEqual(m.epoch(0), try MiniBatches(sampleCount: 10, batchSize: 4, seed: 3).epoch(0))
    XCTAssertNotEqual(m.epoch(0), m.epoch(1))
    XCTAssertEqual(m.epoch(2).map(\.count), [4, 4, 2])
    XCTAssertEqual(m.epoch(2).flatMap { $0 }.sorted(), Array(0..<10))
    let d = try MiniBatches(sampleCount: 10, batchSize: 4, seed: 3, dropLast: true)
    XCTAssertEqual(d.epoch(0).count, 2)
    XCTAssertEqual(try MiniBatches(sampleCount: 5, batchSize: 2, seed: 0, shuffle: false).epoch(0), [[0, 1], [2, 3], [4]])
    F.assertThrows(["batch size"]) { _ = try MiniBatches(sampleCount: 5, batchSize: 0, seed: 0) }
    F.assertThrows(["no samples"]) { _ = try MiniBatches(sampleCount: 0, batchSize: 2, seed: 0) }
    // Over a subset: positions index the view.
    let view = try toy().subset([10, 20, 30])
    let batch = try view.batch(at: try MiniBatches(over: view, batchSize: 3, seed: 1).epoch(0)[0])
    XCTAssertEqual(Set(batch.inputs.storage.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)), [10, 20, 30])
    F.assertThrows(["index 3", "0..<3"]) { _ = try view.batch(at: [3]) }
  }

  func testNormalisationAndAugmentation() throws {
    // A 1×3×3 image with distinct pixels 1…9.
    let d0 = try Dataset(name: "img", sampleShape: [1, 3, 3], classCount: 2, labels: [1],
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
      let out = try d.batch(at: [0], augmentation: Augmentation(padding: 1, horizontalFlip: true), generator: &g)
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
    let (train, _) = try PurchaseSynthetic.generate(classes: 4, trainCount: 400, testCount: 10, features: 64,
                                                    noise: 0.05, seed: 2)
    let a = try KMeansRelabelling(dataset: train, clusters: 4, seed: 1)
    let b = try KMeansRelabelling(dataset: train, clusters: 4, seed: 1)
    XCTAssertEqual(a.labels, b.labels)
    XCTAssertEqual(a.digest, b.digest)
    // Well-separated prototypes: every cluster is one generating class (up to renaming).
    var pairs = Set<[Int]>()
    for i in 0..<train.sampleCount { pairs.insert([train.label(at: i), a.labels[i]]) }
    XCTAssertEqual(pairs.count, 4)
    let relabelled = try a.relabel(train)
    XCTAssertEqual(relabelled.classCount, 4)
    XCTAssertEqual(try relabelled.batch(at: [0, 1]).labels, [a.labels[0], a.labels[1]])
    F.assertThrows(["K=1"]) { _ = try KMeansRelabelling(dataset: train, clusters: 1, seed: 0) }
  }

  func testDatasetRejectsInconsistentInput() {
    F.assertThrows(["o", "label 3 outside"]) {
      _ = try Dataset(name: "d", sampleShape: [1], classCount: 3, labels: [3], storage: .bytes([0], scale: 1), origin: "o")
    }
    F.assertThrows(["o", "2 stored values"]) {
      _ = try Dataset(name: "d", sampleShape: [1], classCount: 3, labels: [0], storage: .bytes([0, 1], scale: 1), origin: "o")
    }
  }
}
