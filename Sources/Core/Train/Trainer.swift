import Foundation

/// The one training loop: mini-batch gradient descent over a `BatchSource` (or a subset of its
/// indices) with a seeded batch order, a learning-rate schedule, per-epoch evaluation and
/// timing, progress on standard error, a time budget, cancellation, and hooks through which a
/// method records what it needs (checkpoints, iterates and gradients, per-epoch parameters).
///
/// One step: zero the gradients, forward, `loss` (+ `extraLoss`), backward, a check that the loss
/// and every gradient are finite (else `TrainingError` naming the step and the parameter),
/// gradient clipping (`clipGradientNorm`), `beforeUpdate`, optimiser step, `afterStep`. The same seed, model and data give the same weights.
public final class Trainer {
  /// The model trained (left in training mode).
  public let model: Module
  /// The optimiser, built over `model.parameters()`.
  public let optimizer: Optimizer
  /// The run's settings.
  public var config: TrainingConfig
  /// The batch loss from logits `[N, K]` and labels; cross-entropy (mean) by default.
  public var loss: (Variable, [Int]) throws -> Variable = { logits, labels in
    try Functional.crossEntropy(logits, targets: labels)
  }
  /// An optional term added to every batch's loss (e.g. Unrolling SGD's regulariser).
  public var extraLoss: ((Module, Batch) throws -> Variable?)?
  /// Replaces the forward pass and `loss`: the batch's loss, a one-element tensor, computed by
  /// the caller from the model and the batch (an objective over several models, such as a
  /// distillation loss). Training accuracy is then not counted (reported as 0).
  public var batchLoss: ((Module, Batch) throws -> Variable)?
  /// Called after backward and before the optimiser step: gradients are this batch's and the
  /// parameters are still the pre-step iterate.
  public var beforeUpdate: ((StepInfo) throws -> Void)?
  /// Called after each optimiser step.
  public var afterStep: ((StepInfo) throws -> Void)?
  /// Called after each complete epoch (and its evaluation).
  public var afterEpoch: ((EpochInfo) throws -> Void)?
  /// Polled before every batch; returning true stops the run (the REPL's Ctrl-C sets it).
  public var isCancelled: () -> Bool = { false }

  /// A loop over `model` with `optimizer` (whose current learning rate is the schedule's base).
  public init(model: Module, optimizer: Optimizer, config: TrainingConfig = TrainingConfig()) {
    self.model = model
    self.optimizer = optimizer
    self.config = config
  }

  /// Trains on `indices` of `source` (all of it when nil), evaluating accuracy on
  /// `evaluationSource` (optionally at `evaluationIndices`) after each epoch.
  @discardableResult
  public func fit(
    on source: BatchSource, indices: [Int]? = nil, evaluateOn evaluationSource: BatchSource? = nil,
    evaluationIndices: [Int]? = nil
  ) throws -> TrainingReport {
    try config.validate()
    let pool = try Evaluation.checkedIndices(indices, in: source, role: "training")
    if let e = evaluationSource {
      _ = try Evaluation.checkedIndices(evaluationIndices, in: e, role: "evaluation")
    }
    var rng = RandomGenerator(seed: config.seed)
    var dropoutSeeds = rng.split()
    var orderRng = rng.split()
    if config.reseedDropout {
      for (_, m) in model.namedModules() {
        if let d = m as? Dropout { d.reseed(dropoutSeeds.next()) }
      }
    }
    let baseRate = optimizer.learningRate
    defer { optimizer.learningRate = baseRate }
    var display = ProgressDisplay(style: config.progress)
    let start = Date()
    var report = TrainingReport(epochs: [], steps: 0, seconds: 0, stopReason: .completed)
    let epochOrder = EpochOrder(
      config.batchOrder, pool: pool, sourceCount: source.sampleCount, shuffle: config.shuffle)
    let batchCount = epochOrder.batchCount(size: config.batchSize, dropLast: config.dropLast)
    model.train()

    epochLoop: for epoch in 0..<config.epochs {
      let epochStart = Date()
      let batches = try EpochOrder.batches(
        of: epochOrder.next(using: &orderRng), size: config.batchSize, dropLast: config.dropLast)
      var lossSum = 0.0, correct = 0, seen = 0
      for b in 0..<batchCount {
        if isCancelled() {
          report.stopReason = .cancelled
          break epochLoop
        }
        if let cap = config.maxSteps, report.steps >= cap {
          report.stopReason = .stepLimit
          break epochLoop
        }
        if let budget = config.timeBudget, Date().timeIntervalSince(start) >= budget {
          report.stopReason = .timeBudget
          break epochLoop
        }
        let t = config.scheduleUnit == .epoch ? epoch : report.steps
        optimizer.learningRate = baseRate * config.schedule.factor(at: t)
        let batchIndices = batches[b]
        var info = StepInfo(
          epoch: epoch, step: b, globalStep: report.steps, indices: batchIndices, loss: 0,
          learningRate: optimizer.learningRate)
        let (batchLoss, batchCorrect) = try trainStep(source: source, info: &info)
        lossSum += Double(batchLoss) * Double(batchIndices.count)
        correct += batchCorrect
        seen += batchIndices.count
        report.steps += 1
        display.update(
          epoch: epoch, epochs: config.epochs, done: b + 1, total: batchCount,
          loss: Float(lossSum / Double(max(seen, 1))),
          seconds: Date().timeIntervalSince(epochStart))
      }
      let seconds = Date().timeIntervalSince(epochStart)
      var info = EpochInfo(
        epoch: epoch, steps: batchCount, meanLoss: Float(lossSum / Double(max(seen, 1))),
        trainAccuracy: Accuracy.percent(correct: correct, of: seen), evaluationAccuracy: nil,
        seconds: seconds, learningRate: optimizer.learningRate)
      if let e = evaluationSource {
        info.evaluationAccuracy = try Evaluation.accuracy(
          of: model, on: e, indices: evaluationIndices, batchSize: config.evaluationBatchSize)
      }
      report.epochs.append(info)
      display.finish(info, epochs: config.epochs)
      try afterEpoch?(info)
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  /// One optimiser step on the batch at `info.indices`; returns its loss and correct count.
  private func trainStep(source: BatchSource, info: inout StepInfo) throws -> (Float, Int) {
    let batch = try source.batch(at: info.indices)
    guard batch.inputs.shape.first == info.indices.count, batch.labels.count == info.indices.count
    else {
      throw TrainingError.invalidData(
        "a batch of \(info.indices.count) indices gave inputs \(batch.inputs.shape) and "
          + "\(batch.labels.count) labels")
    }
    let (value, correct) = try forwardBackward(batch, info: info)
    info.loss = value
    try beforeUpdate?(info)
    try optimizer.step()
    try afterStep?(info)
    return (value, correct)
  }

  /// Zero gradients, forward, loss, backward; returns the loss and the correct count. The graph
  /// dies with this frame, before the optimiser writes the parameters, so their storage is not
  /// shared with saved activations and is updated in place without a copy.
  private func forwardBackward(_ batch: Batch, info: StepInfo) throws -> (Float, Int) {
    optimizer.zeroGrad()
    model.zeroGrad()
    let logits: Variable?
    var total: Variable
    if let batchLoss {
      logits = nil
      total = try batchLoss(model, batch)
      guard total.value.count == 1 else {
        throw TrainingError.invalidData("the batch loss has shape \(total.shape); a one-element tensor expected")
      }
    } else {
      let output = try model(Variable(batch.inputs))
      logits = output
      total = try loss(output, batch.labels)
    }
    if let extra = try extraLoss?(model, batch) { total = try total + extra }
    let value = total.value.storage.reduce(0, +)
    guard value.isFinite else {
      throw TrainingError.nonFiniteLoss(epoch: info.epoch, step: info.step)
    }
    try total.backward()
    if let k = Gradients.firstNonFinite(in: optimizer.parameters) {
      throw TrainingError.nonFiniteGradient(parameter: parameterName(k), epoch: info.epoch, step: info.step)
    }
    if let maxNorm = config.clipGradientNorm { try Gradients.clipNorm(optimizer.parameters, maxNorm: maxNorm) }
    guard let logits else { return (value, 0) }
    let predicted = try logits.value.argmaxIndices(axis: 1)
    let correct = zip(predicted, batch.labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    return (value, correct)
  }

  /// The dotted name of the optimiser's `index`-th parameter in the model, for messages.
  private func parameterName(_ index: Int) -> String {
    let p = optimizer.parameters[index]
    return model.namedParameters().first { $0.1 === p }?.0 ?? "parameter #\(index + 1)"
  }
}
