/// The one evaluation loop: batched inference over a `BatchSource` with any `Classifier` (a
/// module, a learner, an ensemble), in evaluation mode and without gradients. Logits, softmax
/// probabilities, predicted labels, top-1 accuracy (percent, see `Accuracy`) and mean loss all
/// come from here.
///
/// The batch size bounds memory, and it changes a sample's logits in their last bits (the GEMM
/// blocks differently), so callers whose results must repeat bit for bit keep theirs fixed (the
/// method and experiment layers use `Evaluation.learnerBatchSize`).
public enum Evaluation {
  /// Logits `[n, K]` for the samples at `indices` of `source` (all when nil), in order.
  public static func logits(
    of model: any Classifier, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Tensor {
    try forEachBatch(model, source, indices, batchSize) { _, _ in }.logits
  }

  /// Logits `[n, K]` with the samples' labels, in order.
  public static func outputs(
    of model: any Classifier, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> (logits: Tensor, labels: [Int]) {
    var labels: [Int] = []
    let r = try forEachBatch(model, source, indices, batchSize) { _, l in labels += l }
    return (r.logits, labels)
  }

  /// Softmax probabilities `[n, K]` over the samples.
  public static func probabilities(
    of model: any Classifier, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Tensor {
    let z = try logits(of: model, on: source, indices: indices, batchSize: batchSize)
    return try GradMode.withoutGrad { try Functional.softmax(Variable(z), axis: 1).value }
  }

  /// The predicted class (argmax of the logits) of each sample.
  public static func predictions(
    of model: any Classifier, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> [Int] {
    let z = try logits(of: model, on: source, indices: indices, batchSize: batchSize)
    return z.shape[0] == 0 ? [] : try z.argmaxIndices(axis: 1)
  }

  /// Top-1 accuracy in percent (0...100, see `Accuracy`); throws when there are no samples.
  public static func accuracy(
    of model: any Classifier, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
  ) throws -> Double {
    var predicted: [Int] = []
    var labels: [Int] = []
    let r = try forEachBatch(model, source, indices, batchSize) { z, l in
      predicted += try z.argmaxIndices(axis: 1)
      labels += l
    }
    return try Accuracy.top1(predictions: predicted, labels: labels, classCount: r.classCount)
  }

  /// The mean cross-entropy loss over the samples (0 for no samples).
  public static func meanLoss(
    of model: any Classifier, on source: BatchSource, indices: [Int]? = nil, batchSize: Int = 256
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
    _ model: any Classifier, _ source: BatchSource, _ indices: [Int]?, _ batchSize: Int,
    _ body: (Tensor, [Int]) throws -> Void
  ) throws -> (logits: Tensor, count: Int, classCount: Int?) {
    guard batchSize > 0 else {
      throw TrainingError.invalidConfiguration("evaluation batch size \(batchSize)")
    }
    let pool = try checkedIndices(indices, in: source, role: "evaluation")
    var storage: [Float] = []
    var classes: Int?
    var start = 0
    while start < pool.count {
      let idx = Array(pool[start..<min(pool.count, start + batchSize)])
      let batch = try source.batch(at: idx)
      let z = try model.logits(inputs: batch.inputs)
      guard z.rank == 2, z.shape[0] == idx.count, batch.labels.count == idx.count,
        classes == nil || classes == z.shape[1]
      else {
        throw TrainingError.invalidData(
          "a batch of \(idx.count) samples gave logits \(z.shape), \(batch.labels.count) labels")
      }
      classes = z.shape[1]
      storage.append(contentsOf: z.storage)
      try body(z, batch.labels)
      start += batchSize
    }
    return (Tensor(shape: [pool.count, classes ?? 0], storage: storage), pool.count, classes)
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
