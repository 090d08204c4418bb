import Core

/// A source whose "labels" are the samples' own positions: a training loss that needs per-sample
/// targets other than classes (distillation from precomputed teacher outputs) looks them up by
/// the labels the `Trainer` hands it.
struct PositionLabelledSource: BatchSource {
  let base: any BatchSource

  var sampleCount: Int { base.sampleCount }
  var sampleShape: [Int] { base.sampleShape }
  var classCount: Int { base.classCount }

  func batch(at indices: [Int]) throws -> Batch {
    Batch(inputs: try base.batch(at: indices).inputs, labels: indices)
  }
}
