/// A `BatchSource` whose labels can be read without building batches: what forget scenarios,
/// per-class counts and k-means relabelling need.
public protocol LabeledSource: BatchSource {
  /// The label of sample `index` (in `0..<classCount`); `index` must be in `0..<sampleCount`.
  func label(at index: Int) -> Int
}

extension LabeledSource {
  /// Every label, in sample order.
  public var allLabels: [Int] { (0..<sampleCount).map { label(at: $0) } }

  /// How many samples each class has.
  public func classCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for i in 0..<sampleCount { counts[label(at: i)] += 1 }
    return counts
  }

  /// A view of the samples at `indices` (positions in this source), without copying data.
  public func subset(_ indices: [Int], name: String = "subset") throws -> DataView {
    try DataView(base: self, indices: indices, name: name)
  }

  /// Checks that every index lies in `0..<sampleCount`.
  func checkIndices(_ indices: [Int], source: String) throws {
    for i in indices where i < 0 || i >= sampleCount {
      throw DataError.invalidArgument(
        name: "indices into \(source)", problem: "index \(i) outside 0..<\(sampleCount)")
    }
  }
}
