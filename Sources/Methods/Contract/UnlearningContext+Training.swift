import Core

extension UnlearningContext {
  /// Trains `model` in place with SGD on `indices` of the training set (Core's `Trainer`, through
  /// `LearnerTrainer`) — the building block script methods use. `relabel` replaces the labels of
  /// the samples it names (the random-labels method); `ascend` climbs the loss instead
  /// (gradient ascent). Unset values come from M0's
  /// recipe; momentum is M0's. The data order is seeded from the context's seed.
  /// Returns the steps taken and the last epoch's mean loss.
  @discardableResult
  public func train(
    indices: [Int], epochs: Int = 1, learningRate: Double? = nil, batchSize: Int? = nil,
    weightDecay: Double? = nil, relabel: [Int: Int] = [:], ascend: Bool = false
  ) throws -> LearnerTrainer.Summary {
    let n = request.train.sampleCount
    if let bad = indices.first(where: { $0 < 0 || $0 >= n }) {
      throw MethodError.failed(method: "train", message: "sample index \(bad) outside 0..<\(n)")
    }
    let k = request.train.classCount
    if let bad = relabel.first(where: { $0.value < 0 || $0.value >= k }) {
      throw MethodError.failed(method: "train", message: "label \(bad.value) for sample \(bad.key) outside 0..<\(k)")
    }
    guard epochs >= 0 else { throw MethodError.failed(method: "train", message: "epochs must be ≥ 0") }
    var recipe = self.recipe
    recipe.epochs = epochs
    if let lr = learningRate { recipe.learningRate = lr }
    if let b = batchSize { recipe.batchSize = b }
    if let wd = weightDecay { recipe.weightDecay = wd }
    recipe.seed = seed &+ 0x7EA1_0000
    let source: BatchSource
    do {
      source = relabel.isEmpty ? request.train : try RelabelledSource(base: request.train, replacing: relabel)
    } catch {
      throw MethodError.failed(method: "train", message: "\(error)")
    }
    return try LearnerTrainer.train(
      model, TrainingRequest(source: source, indices: indices, recipe: recipe, ascend: ascend, shouldStop: shouldStop))
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
