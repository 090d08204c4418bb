import Core

/// `neggrad+`: each step descends the retained data's loss and ascends the forget set's,
/// minimising α·L(D \ x*) − (1 − α)·L(x*) (Kurmanji et al., 2023), so the model forgets x*
/// while keeping its accuracy elsewhere; the ascent is under the guards of `AscentGuard`.
public final class NegGradPlusMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "neggrad+",
    summary: "descent on retained batches with ascent on forget batches, weighted by alpha",
    options: Configuration.specs)

  /// The method.
  public init() {}

  /// Runs the combined descent/ascent on the copy of M0 with plain SGD (no momentum, no weight
  /// decay, as the reference).
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let config = try Configuration(context.options)
    let request = context.request
    let model = context.model
    var recipe = context.recipe
    recipe.learningRate = config.learningRate
    recipe.momentum = 0
    recipe.weightDecay = 0
    recipe.epochs = config.epochs
    recipe.seed = context.seed &+ 0x4E36_2B
    // Forget batches cycle through seeded epochs of x*, one forget batch per retained batch.
    let forget = request.forget
    let forgetOrder = EpochOrder(pool: forget, sourceCount: request.train.sampleCount)
    var forgetRandom = RandomGenerator(seed: context.seed &+ 0x4E36_2C)
    var pending: [[Int]] = []
    let a = Float(config.alpha)
    let ascent = AscentGuard(
      learner: model, bound: config.forgetLossBound ?? AscentGuard.uniformLoss(classCount: model.classCount))
    var retainedLoss: Float = 0
    var training = TrainingRequest(
      source: request.train, indices: request.retained, recipe: recipe,
      maxSteps: config.maxSteps, shouldStop: context.shouldStop)
    training.configure = { trainer in
      // Loss: α·L(retained batch) − (1 − α)·L(forget batch).
      trainer.loss = { logits, labels in
        let ce = try Functional.crossEntropy(logits, targets: labels)
        retainedLoss = ce.value.storage[0]
        return ce * a
      }
      trainer.extraLoss = { module, _ in
        if pending.isEmpty {
          pending = try forgetOrder.nextBatches(size: recipe.batchSize, using: &forgetRandom).reversed()
        }
        guard !pending.isEmpty else { return nil }
        let batch = try request.train.batch(at: pending.removeLast())
        let ce = try Functional.crossEntropy(try module(Variable(batch.inputs)), targets: batch.labels)
        try ascent.admit(forgetLoss: ce.value.storage[0], otherLoss: retainedLoss)
        return ce * (a - 1)
      }
    }
    let notes = try ascent.run(
      { try LearnerTrainer.train(model, training) }, notes: ["alpha": "\(config.alpha)", "lr": "\(config.learningRate)"])
    return UnlearningResult(model: model, notes: notes)
  }
}
