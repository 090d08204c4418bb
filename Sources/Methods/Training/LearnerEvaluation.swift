import Core

/// Model outputs over a set of samples, computed in batches in evaluation mode.
public enum LearnerEvaluation {
  /// Logits of `learner` for `indices` of `source` (all samples when nil), with their labels.
  public static func outputs(
    _ learner: Learner, source: BatchSource, indices: [Int]? = nil, batchSize: Int = 500
  ) throws -> (outputs: OutputMatrix, labels: [Int]) {
    let all = indices ?? Array(0..<source.sampleCount)
    var values: [Float] = []
    values.reserveCapacity(all.count * learner.classCount)
    var labels: [Int] = []
    labels.reserveCapacity(all.count)
    for start in stride(from: 0, to: all.count, by: batchSize) {
      let batch = try source.batch(at: Array(all[start..<min(start + batchSize, all.count)]))
      let logits = try learner.logits(inputs: batch.inputs)
      guard logits.shape == [batch.labels.count, learner.classCount] else {
        throw MethodError.failed(
          method: "evaluation",
          message: "model returned logits of shape \(logits.shape), expected [\(batch.labels.count), "
            + "\(learner.classCount)]")
      }
      values += logits.storage
      labels += batch.labels
    }
    return (try OutputMatrix(values: values, rowCount: all.count, classCount: learner.classCount), labels)
  }

  /// Top-1 accuracy (%) of `learner` on `indices` of `source`.
  public static func accuracy(_ learner: Learner, source: BatchSource, indices: [Int]? = nil) throws -> Double {
    let (o, l) = try outputs(learner, source: source, indices: indices)
    return try Accuracy.top1(outputs: o, labels: l)
  }
}
