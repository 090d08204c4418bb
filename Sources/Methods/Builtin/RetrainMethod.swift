import Core

/// `retrain`: M_retrain itself, the gold standard every other method is compared with. Starts
/// from M0's initial weights and trains on D \ x* with M0's hyperparameters and data order
/// (minus the forget set).
public final class RetrainMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "retrain",
    summary: "train from M0's initialisation on the retained data with M0's hyperparameters and data order",
    options: [
      OptionSpec("epochs", .integer, default: .number(0), doc: "epochs; 0 means M0's epoch count")
    ])

  /// The method.
  public init() {}

  /// With M0's epoch count (`epochs` = 0) the result is M_retrain itself (BuiltinMethodTests checks it).
  public func reproducesRetraining(options: MethodOptions) -> Bool { (try? options.integer("epochs")) == 0 }

  /// Resets the model to M0's initial state and trains it on the retained data.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    var recipe = context.recipe
    let epochs = try context.options.integer("epochs")
    if epochs > 0 { recipe.epochs = epochs }
    let model = context.model
    try model.loadStateVector(context.initialState)
    let summary = try LearnerTrainer.train(
      model, TrainingRequest(
        source: context.request.train, indices: context.request.retained, recipe: recipe,
        shouldStop: context.shouldStop))
    return UnlearningResult(
      model: model,
      notes: ["epochs": "\(recipe.epochs)", "steps": "\(summary.steps)",
        "retained": "\(context.request.retained.count)"])
  }
}
