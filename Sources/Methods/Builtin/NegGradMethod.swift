import Core

/// `neggrad`: gradient ascent on the forget set's cross-entropy, pushing M0 away from fitting x*
/// (the "GA" baseline of Jia et al., 2023, with its defaults), under the guards of `AscentGuard`.
public final class NegGradMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "neggrad",
    summary: "gradient ascent on the forget set's cross-entropy, stopped at a forget-loss bound",
    options: Configuration.specs)

  /// The method.
  public init() {}

  /// Ascends the forget set's loss on the copy of M0 (M0's momentum and weight decay).
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let config = try Configuration(context.options)
    var recipe = context.recipe
    recipe.epochs = config.epochs
    recipe.learningRate = config.learningRate
    if let b = config.batchSize { recipe.batchSize = b }
    recipe.seed = context.seed &+ 0x4E36
    let model = context.model
    let ascent = AscentGuard(
      learner: model, bound: config.forgetLossBound ?? AscentGuard.uniformLoss(classCount: model.classCount))
    var training = TrainingRequest(
      source: context.request.train, indices: context.request.forget, recipe: recipe, ascend: true,
      shouldStop: context.shouldStop)
    training.configure = { trainer in
      trainer.loss = { logits, labels in
        let ce = try Functional.crossEntropy(logits, targets: labels)
        try ascent.admit(forgetLoss: ce.value.storage[0])
        return ce * -1
      }
    }
    let notes = try ascent.run(
      { try LearnerTrainer.train(model, training) },
      notes: ["epochs": "\(recipe.epochs)", "lr": "\(recipe.learningRate)", "batch_size": "\(recipe.batchSize)"])
    return UnlearningResult(model: model, notes: notes)
  }
}
