import Core

/// The samples of a source with an additive perturbation on the inputs of some of them (in the
/// source's normalised units, added after normalisation): D with x* replaced by x* + δ for the
/// `unlearnable` method. Labels and every other sample are unchanged.
struct PerturbedSource: LabeledSource {
  let base: any LabeledSource
  /// Position in `base` → row of `offsets`.
  let rows: [Int: Int]
  /// One row of `sampleSize` offsets per perturbed position.
  let offsets: [Float]

  /// `base` with `offsets[k]` (row k, flattened) added to the inputs of `positions[k]`.
  init(base: any LabeledSource, positions: [Int], offsets: [Float]) {
    self.base = base
    var rows: [Int: Int] = [:]
    for (k, p) in positions.enumerated() { rows[p] = k }
    self.rows = rows
    self.offsets = offsets
  }

  var sampleCount: Int { base.sampleCount }
  var sampleShape: [Int] { base.sampleShape }
  var classCount: Int { base.classCount }
  func label(at index: Int) -> Int { base.label(at: index) }

  func batch(at indices: [Int]) throws -> Batch {
    var batch = try base.batch(at: indices)
    let size = sampleShape.reduce(1, *)
    for (k, i) in indices.enumerated() {
      guard let row = rows[i] else { continue }
      for j in 0..<size { batch.inputs.storage[k * size + j] += offsets[row * size + j] }
    }
    return batch
  }
}
