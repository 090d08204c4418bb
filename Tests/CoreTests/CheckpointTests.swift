import Foundation
import XCTest

@testable import Core

/// Safetensors checkpoints: round trips with PyTorch names and dtypes, and every way a file
/// can be wrong.
final class CheckpointTests: XCTestCase {
  private func trainedBlock(seed: UInt64) throws -> BasicBlock {
    var rng = RandomGenerator(seed: seed)
    let block = try BasicBlock(2, 4, stride: 2, rng: &rng)
    _ = try block(Variable(Tensor.normal([3, 2, 4, 4], rng: &rng)))  // moves running stats
    _ = try block(Variable(Tensor.normal([3, 2, 4, 4], rng: &rng)))
    return block
  }

  func testRoundTripKeepsNamesValuesAndCounterDtype() throws {
    let url = NNTestSupport.temporaryFile("block.safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let block = try trainedBlock(seed: 1)
    try Checkpoint.save(block, to: url, metadata: ["model": "block"])
    let file = try SafeTensors.read(url)
    XCTAssertEqual(file.names, block.stateDict().map { $0.0 })
    XCTAssertEqual(file.metadata["model"], "block")
    XCTAssertEqual(try file.ints("bn1.num_batches_tracked"), [2])
    let other = try trainedBlock(seed: 2)
    XCTAssertNotEqual(other.parameterVector().storage, block.parameterVector().storage)
    try Checkpoint.load(into: other, from: url)
    for ((n1, a), (n2, b)) in zip(other.stateDict(), block.stateDict()) {
      XCTAssertEqual(n1, n2)
      XCTAssertEqual(a.shape, b.shape, n1)
      XCTAssertEqual(a.storage, b.storage, n1)
    }
  }

  func testLoadsPyTorchWrittenFixtureWithPrefix() throws {
    let url = try Fixtures.url("basicblock.safetensors")
    var rng = RandomGenerator(seed: 0)
    let block = try BasicBlock(64, 128, stride: 2, rng: &rng)
    try Checkpoint.load(into: block, from: url, prefix: "params.")
    let stored = try SafeTensors.read(url).ints("params.bn1.num_batches_tracked")[0]
    XCTAssertEqual(block.numBatchesTracked(of: "bn1"), stored)
    XCTAssertThrowsError(try Checkpoint.load(into: block, from: url)) {
      XCTAssertTrue("\($0)".contains("basicblock.safetensors"), "\($0)")
      XCTAssertTrue("\($0)".contains("missing conv1.weight"), "\($0)")
    }
  }

  func testMismatchedNamesAndShapesAreListedAndNothingIsWritten() throws {
    let url = NNTestSupport.temporaryFile("cnn.safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let ten = try Models.make("cnn", inputShape: [1, 10, 10], classes: 10, seed: 1)
    try Checkpoint.save(ten, to: url)
    let five = try Models.make("cnn", inputShape: [1, 10, 10], classes: 5, seed: 2)
    let before = five.parameterVector().storage
    XCTAssertThrowsError(try Checkpoint.load(into: five, from: url)) {
      let text = "\($0)"
      XCTAssertTrue(text.hasPrefix(url.path), text)
      XCTAssertTrue(text.contains("fc2.weight has shape [10, 128], the model needs [5, 128]"), text)
    }
    XCTAssertEqual(five.parameterVector().storage, before)
    let mlp = try Models.make("mlp", inputShape: [1, 10, 10], classes: 10, seed: 1)
    XCTAssertThrowsError(try Checkpoint.load(into: mlp, from: url)) {
      let text = "\($0)"
      XCTAssertTrue(text.contains("unexpected conv1.weight"), text)
      XCTAssertTrue(text.contains("has shape"), text)
    }
    // Non-strict loading takes what fits by name and still rejects wrong shapes.
    let other = try Models.make("cnn", inputShape: [1, 10, 10], classes: 10, seed: 3)
    try Checkpoint.load(into: other, from: url, strict: false)
    XCTAssertEqual(other.parameterVector().storage, ten.parameterVector().storage)
  }

  func testTruncatedMalformedAndMissingFilesThrowNamingTheFile() throws {
    let url = NNTestSupport.temporaryFile("bad.safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let model = try Models.make("mlp", inputShape: [6], classes: 3, seed: 1)
    try Checkpoint.save(model, to: url)
    let bytes = try Data(contentsOf: url)
    let cases: [(String, Data)] = [
      ("truncated data", bytes.prefix(bytes.count - 7)),
      ("truncated header", bytes.prefix(20)),
      ("too short", bytes.prefix(5)),
      ("empty", Data()),
      ("garbage", Data((0..<64).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) })),
      ("bad json", Data([8, 0, 0, 0, 0, 0, 0, 0]) + Data("{\"a\":[}}".utf8)),
    ]
    for (what, data) in cases {
      try data.write(to: url)
      XCTAssertThrowsError(try Checkpoint.load(into: model, from: url), what) {
        XCTAssertTrue("\($0)".contains(url.lastPathComponent), "\(what): \($0)")
      }
    }
    let missing = url.appendingPathExtension("absent")
    XCTAssertThrowsError(try Checkpoint.load(into: model, from: missing)) {
      XCTAssertTrue("\($0)".contains(missing.lastPathComponent), "\($0)")
    }
  }
}

extension BasicBlock {
  fileprivate func numBatchesTracked(of bn: String) -> Int? {
    buffer(named: "\(bn).num_batches_tracked").map { Int($0.value.storage[0]) }
  }
}
