import Core

/// `bad_teacher` (Chundawat et al., 2023, "Can Bad Teaching Induce Forgetting?"; reference code
/// `vikram2000b/bad-teaching-unlearning`, `unlearn.py` `blindspot_unlearner`): the student starts
/// as M0 and is distilled from two teachers at once — on x* from an incompetent teacher (a
/// randomly initialised model of the same architecture: M0's own initialisation, the model the
/// `zrf` metric compares with), on a random 30% of D \ x* from the competent teacher M0. The loss
/// is KL(teacher ‖ student) of the softmax outputs at temperature T, averaged over every element
/// (`F.kl_div`'s default "mean" reduction, as the reference); Adam; one epoch over the shuffled
/// union, batches of 256.
public final class BadTeacherMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "bad_teacher",
    summary: "distil M0 from a random teacher on x* and from M0 on 30% of D \\ x* (KL, Adam)",
    options: [
      OptionSpec("epochs", .integer, default: .number(1), doc: "epochs over x* and the retained sample"),
      OptionSpec("lr", .number, default: .number(1e-4), doc: "Adam learning rate"),
      OptionSpec("retained_fraction", .number, default: .number(0.3), doc: "share of D \\ x* distilled from M0"),
      OptionSpec("temperature", .number, default: .number(1), doc: "softmax temperature of the KL divergence"),
      OptionSpec("batch_size", .integer, default: .number(256), doc: "samples per step"),
    ])

  /// The method.
  public init() {}

  /// Distils the copy of M0 in place.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let o = context.options
    let epochs = try o.integer("epochs"), lr = try o.number("lr"), fraction = try o.number("retained_fraction")
    let temperature = try o.number("temperature"), batchSize = try o.integer("batch_size")
    func bad(_ name: String, _ message: String) -> MethodError {
      MethodError.invalidOption(owner: "bad_teacher", option: name, message: message)
    }
    guard epochs >= 0 else { throw bad("epochs", "must be ≥ 0") }
    guard lr >= 0 else { throw bad("lr", "must be ≥ 0") }
    guard (0...1).contains(fraction) else { throw bad("retained_fraction", "must be in [0, 1]") }
    guard temperature > 0 else { throw bad("temperature", "must be > 0") }
    guard batchSize >= 1 else { throw bad("batch_size", "must be ≥ 1") }
    guard let student = context.model.singleModule else {
      throw MethodError.failed(method: "bad_teacher", message: "works on a single model, not an ensemble")
    }
    let competent = context.model.copy()
    let incompetent = context.model.copy()
    try incompetent.loadStateVector(context.initialState)

    let request = context.request
    var rng = RandomGenerator(seed: context.seed &+ 0xBAD7_EAC4)
    let retained = rng.permutation(request.retained.count)
      .prefix(Int(fraction * Double(request.retained.count))).map { request.retained[$0] }.sorted()
    // Teacher outputs for every sample of the union, row r for position `pool[r]`.
    let pool = request.forget + retained
    let k = competent.classCount
    var targets = try softmax(incompetent, request.train, request.forget, temperature: temperature)
    targets += try softmax(competent, request.train, retained, temperature: temperature)
    var row = [Int: Int]()
    for (r, p) in pool.enumerated() { row[p] = r }

    var config = TrainingConfig()
    config.epochs = epochs
    config.batchSize = batchSize
    config.seed = rng.next()
    config.progress = .silent
    let trainer = Trainer(
      model: student, optimizer: try Adam(parameters: student.parameters(), learningRate: Float(lr)), config: config)
    trainer.isCancelled = context.shouldStop
    let scale = Float(1 / temperature)
    trainer.loss = { logits, positions in
      let rows = positions.map { row[$0] ?? 0 }
      let target = Tensor(shape: [rows.count, k], storage: rows.flatMap { targets[($0 * k)..<(($0 + 1) * k)] })
      return try Functional.klDivBatchMean(try (logits * scale).logSoftmax(axis: 1), target: Variable(target))
        * (1 / Float(k))
    }
    let report = try trainer.fit(on: PositionLabelledSource(base: request.train), indices: pool)
    if report.stopReason == .cancelled { throw TrainingInterrupted() }
    return UnlearningResult(
      model: context.model,
      notes: [
        "steps": "\(report.steps)", "forget": "\(request.forget.count)", "retained_sample": "\(retained.count)",
        "last_loss": "\(report.epochs.last?.meanLoss ?? 0)",
      ])
  }

  /// softmax(z / T) of `learner` on `indices` of `source`, flattened row by row.
  private func softmax(_ learner: Learner, _ source: BatchSource, _ indices: [Int], temperature: Double) throws
    -> [Float]
  {
    guard !indices.isEmpty else { return [] }
    let z = try Evaluation.logits(of: learner, on: source, indices: indices, batchSize: Evaluation.learnerBatchSize)
    return try GradMode.withoutGrad { try Functional.softmax(Variable(z) * Float(1 / temperature), axis: 1) }
      .value.storage
  }
}
