import XCTest

@testable import Core

/// The training loop, evaluation and learning-rate schedules on tiny synthetic problems.
final class TrainerTests: XCTestCase {
  private let source = SyntheticSource(samples: 96, shape: [8], classes: 3, seed: 5)

  private func model(seed: UInt64 = 1, dropout: Bool = false) throws -> Module {
    var rng = RandomGenerator(seed: seed)
    var layers: [Module] = [try Linear(8, 16, rng: &rng), Tanh()]
    if dropout { layers.append(try Dropout(p: 0.2, rng: &rng)) }
    layers.append(try Linear(16, 3, rng: &rng))
    return Sequential(layers)
  }

  private func config(epochs: Int = 5, seed: UInt64 = 9) -> TrainingConfig {
    var c = TrainingConfig()
    c.epochs = epochs
    c.batchSize = 16
    c.seed = seed
    c.progress = .silent
    return c
  }

  func testTrainingReducesLossAndEvaluates() throws {
    let m = try model()
    let initialLoss = try Evaluation.meanLoss(of: m, on: source)
    let trainer = Trainer(
      model: m, optimizer: try SGD(parameters: m.parameters(), learningRate: 0.2, momentum: 0.9),
      config: config(epochs: 6))
    let report = try trainer.fit(on: source, evaluateOn: source)
    XCTAssertEqual(report.stopReason, .completed)
    XCTAssertEqual(report.epochs.count, 6)
    XCTAssertEqual(report.steps, 36)
    let finalLoss = try Evaluation.meanLoss(of: m, on: source)
    XCTAssertLessThan(finalLoss, initialLoss * 0.3, "loss \(initialLoss) → \(finalLoss)")
    XCTAssertLessThan(report.epochs.last!.meanLoss, report.epochs.first!.meanLoss)
    let accuracy = try Evaluation.accuracy(of: m, on: source)
    XCTAssertGreaterThan(accuracy, 90)
    XCTAssertEqual(report.epochs.last!.evaluationAccuracy, accuracy)
    let predictions = try Evaluation.predictions(of: m, on: source, batchSize: 7)
    let labels = try source.batch(at: Array(0..<96)).labels
    XCTAssertEqual(100 * Double(zip(predictions, labels).filter { $0 == $1 }.count) / 96, accuracy)
    let probs = try Evaluation.probabilities(of: m, on: source, indices: [0, 5, 7])
    XCTAssertEqual(probs.shape, [3, 3])
    for row in 0..<3 {
      XCTAssertEqual(probs.storage[(row * 3)..<(row * 3 + 3)].reduce(0, +), 1, accuracy: 1e-5)
    }
    XCTAssertTrue(m.isTraining, "evaluation restores training mode")
  }

  func testSameSeedGivesIdenticalWeightsAndOtherSeedsDiffer() throws {
    func run(_ seed: UInt64) throws -> [Float] {
      let m = try model(dropout: true)
      let opt = try Adam(parameters: m.parameters(), learningRate: 1e-2)
      try Trainer(model: m, optimizer: opt, config: config(epochs: 2, seed: seed)).fit(on: source)
      return m.parameterVector().storage
    }
    XCTAssertEqual(try run(3), try run(3))
    XCTAssertNotEqual(try run(3), try run(4))
  }

  func testHooksSubsetScheduleAndExtraLoss() throws {
    let m = try model()
    let opt = try SGD(parameters: m.parameters(), learningRate: 0.1)
    var c = config(epochs: 3)
    c.schedule = .step(every: 1, gamma: 0.5)
    let trainer = Trainer(model: m, optimizer: opt, config: c)
    let subset = Array(stride(from: 0, to: 96, by: 3))  // 32 samples, 2 batches per epoch
    var seenPerEpoch: [[Int]] = [[], [], []]
    var rates: [Float] = []
    var epochsSeen: [Int] = []
    trainer.beforeUpdate = { info in
      XCTAssertNotNil(m.parameters()[0].grad)
      seenPerEpoch[info.epoch] += info.indices
    }
    trainer.afterStep = { info in rates.append(info.learningRate) }
    trainer.afterEpoch = { epochsSeen.append($0.epoch) }
    let report = try trainer.fit(on: source, indices: subset)
    XCTAssertEqual(report.steps, 6)
    XCTAssertEqual(epochsSeen, [0, 1, 2])
    for seen in seenPerEpoch { XCTAssertEqual(seen.sorted(), subset) }
    XCTAssertNotEqual(seenPerEpoch[0], seenPerEpoch[1], "shuffled per epoch")
    XCTAssertEqual(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    XCTAssertEqual(opt.learningRate, 0.1, "base rate restored")

    // A constant extra term raises the reported loss by exactly 1 and leaves the weights alone.
    func run(extra: Bool) throws -> (Float, [Float]) {
      let m = try model()
      let t = Trainer(
        model: m, optimizer: try SGD(parameters: m.parameters(), learningRate: 0.1),
        config: config(epochs: 1))
      if extra { t.extraLoss = { _, _ in Variable(Tensor(scalar: 1)) } }
      var losses: [Float] = []
      t.afterStep = { losses.append($0.loss) }
      try t.fit(on: source)
      return (losses[0], m.parameterVector().storage)
    }
    let (plain, w1) = try run(extra: false)
    let (withExtra, w2) = try run(extra: true)
    XCTAssertEqual(withExtra - plain, 1, accuracy: 1e-5)
    XCTAssertEqual(w1, w2)
  }

  func testCancellationAndTimeBudgetStopBetweenBatches() throws {
    let m = try model()
    let trainer = Trainer(
      model: m, optimizer: try SGD(parameters: m.parameters(), learningRate: 0.1),
      config: config(epochs: 4))
    var steps = 0
    trainer.afterStep = { _ in steps += 1 }
    trainer.isCancelled = { steps >= 3 }
    let report = try trainer.fit(on: source)
    XCTAssertEqual(report.stopReason, .cancelled)
    XCTAssertEqual(report.steps, 3)
    XCTAssertTrue(report.epochs.isEmpty)
    trainer.isCancelled = { false }
    trainer.config.timeBudget = 0
    let timed = try trainer.fit(on: source)
    XCTAssertEqual(timed.stopReason, .timeBudget)
    XCTAssertEqual(timed.steps, 0)
  }

  func testBadSettingsAndIndicesThrow() throws {
    let m = try model()
    let trainer = Trainer(
      model: m, optimizer: try SGD(parameters: m.parameters(), learningRate: 0.1), config: config())
    XCTAssertThrowsError(try trainer.fit(on: source, indices: [0, 96])) {
      XCTAssertTrue("\($0)".contains("index 96"), "\($0)")
    }
    trainer.config.batchSize = 0
    XCTAssertThrowsError(try trainer.fit(on: source)) {
      XCTAssertTrue("\($0)".contains("batchSize"), "\($0)")
    }
    XCTAssertThrowsError(try Evaluation.accuracy(of: m, on: source, indices: [-1]))
    trainer.config.batchSize = 16
    let badLabels = ConstantLabelSource(base: source, label: 7)
    XCTAssertThrowsError(try trainer.fit(on: badLabels)) { XCTAssertTrue("\($0)".contains("7"), "\($0)") }
    let wrongShape = SyntheticSource(samples: 8, shape: [5], classes: 3, seed: 1)
    XCTAssertThrowsError(try trainer.fit(on: wrongShape)) {
      XCTAssertTrue("\($0)".contains("[8, 5]"), "\($0)")
    }
    XCTAssertThrowsError(try Evaluation.logits(of: m, on: wrongShape))
    XCTAssertThrowsError(try SGD(parameters: m.parameters(), learningRate: -1))
    XCTAssertThrowsError(try SGD(parameters: m.parameters(), learningRate: 0.1, nesterov: true))
    XCTAssertThrowsError(try Adam(parameters: m.parameters(), beta1: 1))
    XCTAssertThrowsError(try LRSchedule.cosine(period: 0, minFactor: 0).validate())
    let wrong = Variable(Tensor(repeating: 0, shape: [2]), requiresGrad: true)
    wrong.grad = Tensor(repeating: 1, shape: [3])
    XCTAssertThrowsError(try SGD(parameters: [wrong], learningRate: 0.1).step())
  }

  func testSchedulesAndNesterovMomentum() throws {
    XCTAssertEqual(LRSchedule.step(every: 2, gamma: 0.1).factor(at: 3), 0.1, accuracy: 1e-7)
    let cosine = LRSchedule.cosine(period: 10, minFactor: 0.1)
    XCTAssertEqual(cosine.factor(at: 0), 1, accuracy: 1e-6)
    XCTAssertEqual(cosine.factor(at: 5), 0.55, accuracy: 1e-6)
    XCTAssertEqual(cosine.factor(at: 10), 0.1, accuracy: 1e-6)
    let warm = LRSchedule.warmup(steps: 4, then: .cosine(period: 10, minFactor: 0))
    XCTAssertEqual((0..<5).map { warm.factor(at: $0) }, [0.25, 0.5, 0.75, 1, 1])
    XCTAssertEqual(LRSchedule.product(.step(every: 1, gamma: 0.5), warm).factor(at: 1), 0.25)

    // Nesterov by hand: p=1, g=2 (constant), lr 0.1, momentum 0.9.
    let p = Variable(Tensor([1]), requiresGrad: true)
    let opt = try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, nesterov: true)
    p.grad = Tensor([2])
    try opt.step()  // buf = 2, d = 2 + 1.8 = 3.8
    XCTAssertEqual(p.value.storage[0], 1 - 0.38, accuracy: 1e-6)
    try opt.step()  // buf = 1.8 + 2 = 3.8, d = 2 + 3.42 = 5.42
    XCTAssertEqual(p.value.storage[0], 1 - 0.38 - 0.542, accuracy: 1e-6)
  }
}

/// A source whose every label is `label` (out of range on purpose).
private struct ConstantLabelSource: BatchSource {
  let base: SyntheticSource
  let label: Int
  var sampleCount: Int { base.sampleCount }
  var sampleShape: [Int] { base.sampleShape }
  var classCount: Int { base.classCount }
  func batch(at indices: [Int]) throws -> Batch {
    var b = try base.batch(at: indices)
    b.labels = b.labels.map { _ in label }
    return b
  }
}
