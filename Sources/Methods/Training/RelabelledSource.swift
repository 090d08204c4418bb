import Core

/// A training source whose labels at some positions are replaced (the random-labels method).
struct RelabelledSource: BatchSource {
  /// The source relabelled.
  let base: BatchSource
  /// New labels by position in `base`.
  let labels: [Int: Int]

  var sampleCount: Int { base.sampleCount }
  var sampleShape: [Int] { base.sampleShape }
  var classCount: Int { base.classCount }

  func batch(at indices: [Int]) throws -> Batch {
    var b = try base.batch(at: indices)
    for (i, index) in indices.enumerated() { if let l = labels[index] { b.labels[i] = l } }
    return b
  }
}
