import Core

/// `finetune`: continue training M0 on the retained data D \ x* for a few epochs, so that the
/// forget set's influence fades (catastrophic forgetting put to use).
public final class FinetuneMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "finetune",
    summary: "continue training M0 on the retained data (M0's hyperparameters, fewer epochs)",
    options: [
      OptionSpec("epochs", .integer, default: .number(1), doc: "epochs over the retained data"),
      OptionSpec("lr", .number, default: .number(0), doc: "learning rate; 0 means M0's"),
      OptionSpec("max_steps", .integer, default: .number(0), doc: "stop after this many steps; 0: no limit"),
    ])

  /// The method.
  public init() {}

  /// Fine-tunes the copy of M0 in place.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    var recipe = context.recipe
    recipe.epochs = try context.options.integer("epochs")
    let lr = try context.options.number("lr")
    if lr > 0 { recipe.learningRate = lr }
    // A different seed from M0's so the epoch does not replay M0's first-epoch order.
    recipe.seed = context.seed &+ 0x5EED_F1E7
    let cap = try context.options.integer("max_steps")
    let summary = try LearnerTrainer.train(
      context.model, TrainingRequest(
        source: context.request.train, indices: context.request.retained, recipe: recipe,
        maxSteps: cap > 0 ? cap : nil, shouldStop: context.shouldStop))
    return UnlearningResult(
      model: context.model,
      notes: ["epochs": "\(recipe.epochs)", "steps": "\(summary.steps)", "lr": "\(recipe.learningRate)"])
  }
}
