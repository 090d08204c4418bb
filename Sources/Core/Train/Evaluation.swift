/// Batched inference without gradients, in evaluation mode (the model's modes are restored
/// afterwards): logits, softmax probabilities, predicted labels, accuracy and mean loss.
public enum Evaluation {
  /// Logits `[n, K]` for the samples at `indices` of `source` (all when nil), in order.
  public static func logits(
    of model: Module, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Tensor {
    try forEachBatch(model, source, indices, batchSize) { _, _ in }.logits
  }

  /// Softmax probabilities `[n, K]` over the samples.
  public static func probabilities(
    of model: Module, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Tensor {
    let z = try logits(of: model, on: source, indices: indices, batchSize: batchSize)
    return try GradMode.withoutGrad { try Functional.softmax(Variable(z), axis: 1).value }
  }

  /// The predicted class (argmax of the logits) of each sample.
  public static func predictions(
    of model: Module, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> [Int] {
    let z = try logits(of: model, on: source, indices: indices, batchSize: batchSize)
    return z.shape[0] == 0 ? [] : try z.argmaxIndices(axis: 1)
  }

  /// The fraction of samples whose predicted class equals the label (0 for no samples).
  public static func accuracy(
    of model: Module, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Float {
    var correct = 0
    let r = try forEachBatch(model, source, indices, batchSize) { z, labels in
      let p = try z.argmaxIndices(axis: 1)
      correct += zip(p, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    }
    return r.count == 0 ? 0 : Float(correct) / Float(r.count)
  }

  /// The mean cross-entropy loss over the samples (0 for no samples).
  public static func meanLoss(
    of model: Module, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Float {
    var total = 0.0
    let r = try forEachBatch(model, source, indices, batchSize) { z, labels in
      let l = try Functional.crossEntropy(Variable(z), targets: labels).value.storage[0]
      total += Double(l) * Double(labels.count)
    }
    return r.count == 0 ? 0 : Float(total / Double(r.count))
  }

  /// Runs the model over the samples batch by batch; `body` sees each batch's logits and labels.
  private static func forEachBatch(
    _ model: Module, _ source: BatchSource, _ indices: [Int]?, _ batchSize: Int,
    _ body: (Tensor, [Int]) throws -> Void
  ) throws -> (logits: Tensor, count: Int) {
    guard batchSize > 0 else {
      throw TrainingError.invalidConfiguration("evaluation batch size \(batchSize)")
    }
    let pool = try checkedIndices(indices, in: source, role: "evaluation")
    return try model.inEvaluationMode {
      try GradMode.withoutGrad {
        var storage: [Float] = []
        var classes = 0
        var start = 0
        while start < pool.count {
          let idx = Array(pool[start..<min(pool.count, start + batchSize)])
          let batch = try source.batch(at: idx)
          let z = try model(Variable(batch.inputs)).value
          guard z.rank == 2, z.shape[0] == idx.count, batch.labels.count == idx.count else {
            throw TrainingError.invalidData(
              "a batch of \(idx.count) samples gave logits \(z.shape), \(batch.labels.count) labels")
          }
          classes = z.shape[1]
          storage.append(contentsOf: z.storage)
          try body(z, batch.labels)
          start += batchSize
        }
        return (Tensor(shape: [pool.count, classes], storage: storage), pool.count)
      }
    }
  }

  /// `indices` (or all positions) after checking each lies in `0..<source.sampleCount`.
  static func checkedIndices(_ indices: [Int]?, in source: BatchSource, role: String) throws -> [Int] {
    guard let indices else { return Array(0..<source.sampleCount) }
    if let bad = indices.first(where: { $0 < 0 || $0 >= source.sampleCount }) {
      throw TrainingError.invalidData(
        "\(role) index \(bad) is outside a source of \(source.sampleCount) samples")
    }
    return indices
  }
}

extension Module {
  /// Runs `body` with this module and its descendants in evaluation mode, then restores each
  /// one's previous mode.
  public func inEvaluationMode<T>(_ body: () throws -> T) rethrows -> T {
    let modes = namedModules().map { ($0.1, $0.1.isTraining) }
    eval()
    defer { for (m, mode) in modes { m.isTrainingStorage = mode } }
    return try body()
  }
}
