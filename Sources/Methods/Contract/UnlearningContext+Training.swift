import Core

extension UnlearningContext {
  /// Trains `model` in place (Core's `Trainer`, through `LearnerTrainer`) — the building block
  /// script methods use. It trains on `indices` of `source` (default: the training set; nil
  /// indices: all of the source). `relabel` replaces the labels of the samples it names (the
  /// random-labels method); `ascend` climbs the loss instead; `loss` replaces the forward pass and
  /// cross-entropy with the method's own objective of the model and the batch. The optimiser is
  /// SGD (momentum M0's unless given) or Adam; `clipGradientNorm` bounds every step. Unset
  /// learning rate, batch size and weight decay are M0's. The data order is seeded from `seed`
  /// (default: the context's seed). A non-finite loss or gradient stops training with an error
  /// naming the step and the parameter. Returns the steps taken and the last epoch's mean loss.
  @discardableResult
  public func train(
    indices: [Int]?, source: (any LabeledSource)? = nil, epochs: Int = 1, learningRate: Double? = nil,
    batchSize: Int? = nil, weightDecay: Double? = nil, momentum: Double? = nil, relabel: [Int: Int] = [:],
    ascend: Bool = false, optimizer: TrainingRequest.OptimizerKind = .sgd, clipGradientNorm: Double? = nil,
    seed: UInt64? = nil, loss: ((Module, Batch) throws -> Variable)? = nil
  ) throws -> LearnerTrainer.Summary {
    let data = source ?? request.train
    let n = data.sampleCount
    if let bad = indices?.first(where: { $0 < 0 || $0 >= n }) {
      throw MethodError.failed(method: "train", message: "sample index \(bad) outside 0..<\(n)")
    }
    let k = data.classCount
    if let bad = relabel.first(where: { $0.value < 0 || $0.value >= k }) {
      throw MethodError.failed(method: "train", message: "label \(bad.value) for sample \(bad.key) outside 0..<\(k)")
    }
    guard epochs >= 0 else { throw MethodError.failed(method: "train", message: "epochs must be ≥ 0") }
    if let c = clipGradientNorm, !(c >= 0 && c.isFinite) {
      throw MethodError.failed(method: "train", message: "clip_grad_norm must be finite and ≥ 0")
    }
    var recipe = self.recipe
    recipe.epochs = epochs
    if let lr = learningRate { recipe.learningRate = lr }
    if let b = batchSize { recipe.batchSize = b }
    if let wd = weightDecay { recipe.weightDecay = wd }
    if let m = momentum { recipe.momentum = m }
    recipe.seed = (seed ?? self.seed) &+ 0x7EA1_0000
    let batches: BatchSource
    do {
      batches = relabel.isEmpty ? data : try RelabelledSource(base: data, replacing: relabel)
    } catch {
      throw MethodError.failed(method: "train", message: "\(error)")
    }
    var training = TrainingRequest(
      source: batches, indices: indices, recipe: recipe, ascend: ascend, shouldStop: shouldStop)
    training.optimizer = optimizer
    if clipGradientNorm != nil || loss != nil {
      training.configure = { trainer in
        trainer.config.clipGradientNorm = clipGradientNorm
        trainer.batchLoss = loss
      }
    }
    return try LearnerTrainer.train(model, training)
  }

  /// The labels of training samples at `indices`.
  public func labels(_ indices: [Int]) throws -> [Int] {
    try request.train.batch(at: indices).labels
  }

  /// Top-1 accuracy (%) of the context's model on training samples at `indices`.
  public func accuracy(_ indices: [Int]) throws -> Double {
    try Evaluation.accuracy(of: model, on: request.train, indices: indices, batchSize: Evaluation.learnerBatchSize)
  }
}
