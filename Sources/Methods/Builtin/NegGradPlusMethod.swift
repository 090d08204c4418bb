import Core

/// `neggrad+`: each step descends the retained data's loss and ascends the forget set's,
/// minimising α·L(D \ x*) − (1 − α)·L(x*) (Kurmanji et al., 2023), so the model forgets x*
/// while keeping its accuracy elsewhere.
public final class NegGradPlusMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "neggrad+",
    summary: "descent on retained batches with ascent on forget batches, weighted by alpha",
    options: [
      OptionSpec("epochs", .integer, default: .number(1), doc: "epochs over the retained data"),
      OptionSpec("lr", .number, default: .number(0.01), doc: "learning rate"),
      OptionSpec("alpha", .number, default: .number(0.99), doc: "weight of the retained loss (0...1)"),
      OptionSpec("max_steps", .integer, default: .number(0), doc: "stop after this many steps; 0: no limit"),
    ])

  /// The method.
  public init() {}

  /// Runs the combined descent/ascent on the copy of M0.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let o = context.options
    let epochs = try o.integer("epochs")
    let alpha = try o.number("alpha")
    let maxSteps = try o.integer("max_steps")
    guard (0...1).contains(alpha) else {
      throw MethodError.invalidOption(owner: "method 'neggrad+'", option: "alpha", message: "must be in [0, 1]")
    }
    let request = context.request
    let model = context.model
    var recipe = context.recipe
    recipe.learningRate = try o.number("lr")
    recipe.weightDecay = 0
    recipe.epochs = epochs
    recipe.seed = context.seed &+ 0x4E36_2B
    // Forget batches cycle through seeded permutations of x*, one batch per retained batch.
    var rng = RandomGenerator(seed: context.seed &+ 0x4E36_2C)
    var forgetBatches: [[Int]] = []
    let forget = request.forget
    let batchSize = recipe.batchSize
    let a = Float(alpha)
    var training = TrainingRequest(
      source: request.train, indices: request.retained, recipe: recipe,
      maxSteps: maxSteps > 0 ? maxSteps : nil, shouldStop: context.shouldStop)
    training.configure = { trainer in
      // Loss: α·L(retained batch) − (1 − α)·L(forget batch).
      trainer.loss = { logits, labels in try Functional.crossEntropy(logits, targets: labels) * a }
      trainer.extraLoss = { module, _ in
        guard !forget.isEmpty else { return nil }
        if forgetBatches.isEmpty {
          let order = rng.permutation(forget.count).map { forget[$0] }
          forgetBatches = stride(from: 0, to: order.count, by: batchSize).map {
            Array(order[$0..<min($0 + batchSize, order.count)])
          }.reversed()
        }
        let batch = try request.train.batch(at: forgetBatches.removeLast())
        let logits = try module(Variable(batch.inputs))
        return try Functional.crossEntropy(logits, targets: batch.labels) * (a - 1)
      }
    }
    let summary = try LearnerTrainer.train(model, training)
    let steps = summary.steps
    return UnlearningResult(model: model, notes: ["steps": "\(steps)", "alpha": "\(alpha)"])
  }
}
