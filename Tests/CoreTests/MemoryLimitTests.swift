import XCTest

@testable import Core

/// The memory limit: how `LETHE_MAX_MEMORY` reads, and that every place where a user's input
/// decides a size throws before allocating more than the limit (instead of trapping in the
/// Swift runtime's "failed to allocate").
final class MemoryLimitTests: XCTestCase {
  let gib = 1 << 30

  func testSizesRead() throws {
    let available = 16 * gib
    XCTAssertEqual(try MemoryLimit.parse("1073741824", available: available), gib)
    XCTAssertEqual(try MemoryLimit.parse("512M", available: available), 512 << 20)
    XCTAssertEqual(try MemoryLimit.parse("8G", available: available), 8 * gib)
    XCTAssertEqual(try MemoryLimit.parse("8GiB", available: available), 8 * gib)
    XCTAssertEqual(try MemoryLimit.parse(" 8gb ", available: available), 8 * gib)
    XCTAssertEqual(try MemoryLimit.parse("1.5T", available: available), 3 * (1 << 39))
    XCTAssertEqual(try MemoryLimit.parse("64K", available: available), 64 << 10)
    XCTAssertEqual(try MemoryLimit.parse("50%", available: available), 8 * gib)
    for bad in ["", "abc", "-1G", "0", "0%", "150%", "8X", "G", "nan", "1e30T", "8 G B"] {
      XCTAssertThrowsError(try MemoryLimit.parse(bad, available: available), bad) { error in
        XCTAssertEqual("\(error)", "LETHE_MAX_MEMORY='\(bad)' is not a size (examples: 16G, 512M, 75%)")
      }
    }
    let configured = try MemoryLimit.configured(environment: ["LETHE_MAX_MEMORY": "2G"])
    XCTAssertEqual(configured, MemoryLimit(bytes: 2 * gib, origin: "LETHE_MAX_MEMORY=2G"))
    XCTAssertThrowsError(try MemoryLimit.configured(environment: ["LETHE_MAX_MEMORY": "lots"]))
    let fallback = try MemoryLimit.configured(environment: [:])
    XCTAssertEqual(fallback.bytes, Int(Double(MemoryLimit.availableMemory()) * MemoryLimit.defaultFraction))
    XCTAssertGreaterThan(MemoryLimit.availableMemory(), 0)
  }

  func testChecksCountWhatIsInUse() throws {
    let limit = MemoryLimit(bytes: MemoryLimit.heapInUse() + 256 << 20, origin: "a test")
    XCTAssertNoThrow(try limit.check(bytes: 100 << 20, for: "100 MiB"))
    // Small requests are never measured or refused, whatever the limit.
    XCTAssertNoThrow(try MemoryLimit(bytes: 0, origin: "zero").check(bytes: 1 << 20, for: "1 MiB"))
    let before = MemoryLimit.heapInUse()
    var held = [Float](repeating: 1, count: 48 << 20)  // 192 MiB
    XCTAssertGreaterThanOrEqual(MemoryLimit.heapInUse() - before, 190 << 20)
    XCTAssertThrowsError(try limit.check(bytes: 100 << 20, for: "100 MiB more")) { error in
      let text = "\(error)"
      XCTAssertTrue(text.hasPrefix("not enough memory: 100 MiB more needs 100.0 MiB with "), text)
      XCTAssertTrue(text.hasSuffix("in use; the limit is \(MemoryLimit.format(bytes: limit.bytes)) (a test)"), text)
    }
    held[0] = 2
    XCTAssertEqual(held[0], 2)
    held = []
    XCTAssertNoThrow(try limit.check(bytes: 100 << 20, for: "100 MiB after freeing"))
    // Products that overflow are refused, not trapped.
    XCTAssertThrowsError(try limit.check(count: Int.max / 2, elementBytes: 4, for: "an overflow")) { error in
      XCTAssertTrue("\(error)".contains("more bytes than a computer has"), "\(error)")
    }
  }

  /// A shape just over the process's limit (and under the element cap, so that the limit is
  /// what refuses it).
  var tooLarge: [Int] {
    [MemoryLimit.current.bytes / 4 / 4096 + 1, 4096]
  }

  func testEveryUserSizedAllocationChecksFirst() throws {
    let shape = tooLarge
    try XCTSkipIf(shape[0] * 4096 > Tensor.maxElementCount, "this machine's memory is larger than a tensor may be")
    func refused(_ what: String, _ body: () throws -> Any) {
      XCTAssertThrowsError(try body(), what) { error in
        XCTAssertTrue(error is MemoryLimitError, "\(what): \(error)")
        XCTAssertTrue("\(error)".hasPrefix("not enough memory: "), "\(what): \(error)")
      }
    }
    var rng = RandomGenerator(seed: 0)
    refused("a new tensor") { try Tensor.validate(shape: shape) }
    refused("Linear") { try Linear(shape[1], shape[0], rng: &rng) }
    refused("Conv2d") { try Conv2d(shape[0], 1, kernelSize: 64, rng: &rng) }
    refused("BatchNorm2d") { try BatchNorm2d(shape[0] * 4096) }
    refused("a model") { try Models.make("mlp", inputShape: [4], classes: shape[0] * 64, seed: 0) }
    refused("a summary") { try Sequential([]).summary(inputShape: shape) }
    let column = Tensor.zeros([shape[0], 1])
    let row = Tensor.zeros([1, 4096])
    refused("broadcasting") { try column + row }
    refused("broadcast to") { try row.broadcast(to: shape) }
    refused("matmul") { try column.matmul(row) }
    refused("index select") { try row.indexSelect(axis: 0, indices: [Int](repeating: 0, count: shape[0])) }
    refused("concat") { try Tensor.concat([Tensor](repeating: row, count: shape[0]), axis: 0) }
    let image = Variable(Tensor.zeros([1, 1, 1, 1]))
    // An output side of about √(limit / 4) + 2: just over the limit.
    let side = Int(Double(MemoryLimit.current.bytes / 4).squareRoot())
    let padded = try Conv2d(1, 1, kernelSize: 1, padding: side / 2 + 1, rng: &rng)
    refused("a padded convolution") { try padded(image) }
    refused("synthetic data") {
      try PurchaseSynthetic.generate(classes: 2, trainCount: shape[0] * 4096, testCount: 1, features: 4, seed: 0)
    }
  }

  /// Shapes whose products overflow, or that have absurd ranks, are errors rather than traps.
  func testShapeOverflowAndRankAreErrors() throws {
    XCTAssertThrowsError(try Tensor.validate(shape: [1 << 40, 1 << 40]))
    XCTAssertThrowsError(try Tensor.validate(shape: [Int.max, 2]))
    // A zero extent does not excuse the others: their products must still fit.
    XCTAssertThrowsError(try Tensor.validate(shape: [0, 1 << 40, 1 << 40]))
    XCTAssertEqual(try Tensor.checkedCount(of: [0, 1 << 20]), 0)
    XCTAssertThrowsError(try Tensor.validate(shape: [Int](repeating: 1, count: 65))) { error in
      XCTAssertEqual("\(error)", "invalid shape: 65 dimensions; a tensor has at most 64")
    }
    XCTAssertThrowsError(try Tensor.zeros([1]).reshaped([Int](repeating: 1, count: 200)))
    XCTAssertNoThrow(try Tensor.zeros([1]).reshaped([Int](repeating: 1, count: 64)))
    var rng = RandomGenerator(seed: 0)
    XCTAssertThrowsError(try Linear(1 << 40, 1 << 40, rng: &rng))
    XCTAssertThrowsError(try Conv2d(1, 1, kernelSize: 1 << 31, rng: &rng))
    XCTAssertThrowsError(try Models.make("mlp", inputShape: [1 << 40, 1 << 40], classes: 2, seed: 0))
    let conv = try Conv2d(1, 1, kernelSize: 3, rng: &rng)
    XCTAssertThrowsError(try Conv2d(1, 1, kernelSize: 3, padding: 1 << 62, rng: &rng)(Variable(Tensor.zeros([1, 1, 1, 1]))))
    XCTAssertNoThrow(try conv(Variable(Tensor.zeros([1, 1, 3, 3]))))
    let empty = Tensor.zeros([1 << 30, 0])
    XCTAssertThrowsError(try Tensor.concat([Tensor](repeating: empty, count: 1 << 10), axis: 0))
    XCTAssertThrowsError(
      try PurchaseSynthetic.generate(classes: 2, trainCount: Int.max, testCount: Int.max, seed: 0))
  }

  /// What a check costs: the heap measurement runs only for requests of 16 MiB and more.
  func testMeasurementIsCheap() throws {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<1000 { _ = MemoryLimit.heapInUse() }
    let micros = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    print("MemoryLimit.heapInUse: \(micros) µs per call (1000 calls)")
  }
}
