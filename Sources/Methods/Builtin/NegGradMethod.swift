import Core

/// `neggrad`: gradient ascent on the forget set, pushing M0 away from fitting x*.
public final class NegGradMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "neggrad",
    summary: "gradient ascent on the forget set's cross-entropy",
    options: [
      OptionSpec("epochs", .integer, default: .number(1), doc: "epochs over the forget set"),
      OptionSpec("lr", .number, default: .number(0.01), doc: "ascent learning rate"),
      OptionSpec("batch_size", .integer, default: .number(0), doc: "batch size; 0 means M0's"),
    ])

  /// The method.
  public init() {}

  /// Ascends the forget set's loss on the copy of M0.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    var recipe = context.recipe
    recipe.epochs = try context.options.integer("epochs")
    recipe.learningRate = try context.options.number("lr")
    let batch = try context.options.integer("batch_size")
    if batch > 0 { recipe.batchSize = batch }
    recipe.seed = context.seed &+ 0x4E36
    recipe.weightDecay = 0
    let summary = try LearnerTrainer.train(
      context.model, TrainingRequest(
        source: context.request.train, indices: context.request.forget, recipe: recipe, ascend: true,
        shouldStop: context.shouldStop))
    return UnlearningResult(
      model: context.model,
      notes: ["epochs": "\(recipe.epochs)", "steps": "\(summary.steps)",
        "final_forget_loss": "\(summary.lastEpochLoss)"])
  }
}
