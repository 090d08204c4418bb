/// A subset of another source, optionally with its labels renumbered: the retained or forgotten
/// part of a training set, a test subset, or "keep K labels, renumbered 0…K−1". It stores only
/// indices, never samples.
public struct DataView: LabeledSource {
  /// The source the indices point into.
  public let base: any LabeledSource
  /// Positions in `base`, in this view's order.
  public let indices: [Int]
  /// `labelMap[old]` is the new label, or −1 for a label this view has no samples of; nil keeps labels.
  public let labelMap: [Int]?
  /// A short name for messages and reports.
  public let name: String
  public let classCount: Int

  /// A view of `indices` in `base`; throws if one is out of range.
  public init(base: any LabeledSource, indices: [Int], name: String = "subset") throws {
    try base.checkIndices(indices, source: name)
    self.base = base
    self.indices = indices
    self.labelMap = nil
    self.name = name
    self.classCount = base.classCount
  }

  /// A view of `indices` in `base` with labels renumbered by `labelMap` to `0..<classCount`.
  /// Every selected sample's label must map to a label in range.
  public init(base: any LabeledSource, indices: [Int], labelMap: [Int], classCount: Int,
              name: String) throws {
    try base.checkIndices(indices, source: name)
    guard labelMap.count == base.classCount else {
      throw DataError.invalidArgument(
        name: "label map of \(name)", problem: "has \(labelMap.count) entries for \(base.classCount) labels")
    }
    for i in indices {
      let mapped = labelMap[base.label(at: i)]
      guard mapped >= 0 && mapped < classCount else {
        throw DataError.invalidScenario(
          scenario: name, problem: "sample \(i) has label \(base.label(at: i)), which this view drops")
      }
    }
    self.base = base
    self.indices = indices
    self.labelMap = labelMap
    self.name = name
    self.classCount = classCount
  }

  public var sampleCount: Int { indices.count }
  public var sampleShape: [Int] { base.sampleShape }

  public func label(at index: Int) -> Int {
    let old = base.label(at: indices[index])
    return labelMap.map { $0[old] } ?? old
  }

  public func batch(at positions: [Int]) throws -> Batch {
    try checkIndices(positions, source: name)
    var batch = try base.batch(at: positions.map { indices[$0] })
    if let labelMap { batch.labels = batch.labels.map { labelMap[$0] } }
    return batch
  }
}

/// A source with new per-sample labels over the same samples (Purchase relabelled by k-means).
public struct RelabelledSource: LabeledSource {
  /// The source whose samples are shown.
  public let base: any LabeledSource
  /// The new label of every sample of `base`.
  public let labels: [Int32]
  public let classCount: Int

  /// Throws when the label count differs from the sample count or a label is out of range.
  public init(base: any LabeledSource, labels: [Int], classCount: Int) throws {
    guard labels.count == base.sampleCount else {
      throw DataError.invalidArgument(
        name: "labels", problem: "\(labels.count) labels for \(base.sampleCount) samples")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
      throw DataError.invalidArgument(name: "labels", problem: "label \(bad) outside 0..<\(classCount)")
    }
    self.base = base
    self.labels = labels.map { Int32($0) }
    self.classCount = classCount
  }

  public var sampleCount: Int { base.sampleCount }
  public var sampleShape: [Int] { base.sampleShape }
  public func label(at index: Int) -> Int { Int(labels[index]) }

  public func batch(at indices: [Int]) throws -> Batch {
    var batch = try base.batch(at: indices)
    batch.labels = indices.map { Int(labels[$0]) }
    return batch
  }
}
