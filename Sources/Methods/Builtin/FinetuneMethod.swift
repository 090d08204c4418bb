import Core

/// `finetune`: continue training M0 on the retained data D \ x* for a few epochs, so that the
/// forget set's influence fades (catastrophic forgetting put to use).
public final class FinetuneMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "finetune",
    summary: "continue training M0 on the retained data (M0's hyperparameters, fewer epochs)",
    options: Configuration.specs)

  /// The method.
  public init() {}

  /// Fine-tunes the copy of M0 in place.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let config = try Configuration(context.options)
    var recipe = context.recipe
    recipe.epochs = config.epochs
    if let lr = config.learningRate { recipe.learningRate = lr }
    // A different seed from M0's so the epoch does not replay M0's first-epoch order.
    recipe.seed = context.seed &+ 0x5EED_F1E7
    let summary = try LearnerTrainer.train(
      context.model, TrainingRequest(
        source: context.request.train, indices: context.request.retained, recipe: recipe,
        maxSteps: config.maxSteps, shouldStop: context.shouldStop))
    return UnlearningResult(
      model: context.model,
      notes: ["epochs": "\(recipe.epochs)", "steps": "\(summary.steps)", "lr": "\(recipe.learningRate)"])
  }
}
