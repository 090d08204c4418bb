import Core

/// The hyperparameters of M0's training, which `retrain` and `finetune` reuse: mini-batch SGD
/// with momentum and weight decay (PyTorch's update rule), a seeded data order per epoch.
public struct TrainingRecipe: Sendable, Equatable, Codable {
  /// Passes over the training data.
  public var epochs: Int
  /// Samples per mini-batch (the last batch of an epoch may be smaller).
  public var batchSize: Int
  /// The SGD learning rate.
  public var learningRate: Double
  /// The SGD momentum (0 for plain SGD).
  public var momentum: Double
  /// L2 weight decay added to the gradient.
  public var weightDecay: Double
  /// Seeds the data order (and per-step randomness such as dropout).
  public var seed: UInt64

  /// The defaults, those of the quickstart CNN on Fashion-MNIST: declared here once, read by
  /// `init`'s default arguments and by `optionSpecs`.
  public static let defaults = TrainingRecipe(
    epochs: 2, batchSize: 64, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, seed: 0)

  /// A recipe; unset values are `defaults`'.
  public init(epochs: Int = defaults.epochs, batchSize: Int = defaults.batchSize,
    learningRate: Double = defaults.learningRate, momentum: Double = defaults.momentum,
    weightDecay: Double = defaults.weightDecay, seed: UInt64 = defaults.seed)
  {
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.seed = seed
  }

  /// The options a schedule may set on a training configuration, with their defaults.
  public static let optionSpecs: [OptionSpec] = [
    OptionSpec("epochs", .integer, default: .number(Double(defaults.epochs)), doc: "passes over the training data"),
    OptionSpec("batch_size", .integer, default: .number(Double(defaults.batchSize)), doc: "samples per mini-batch"),
    OptionSpec("lr", .number, default: .number(defaults.learningRate), doc: "SGD learning rate"),
    OptionSpec("momentum", .number, default: .number(defaults.momentum), doc: "SGD momentum"),
    OptionSpec("weight_decay", .number, default: .number(defaults.weightDecay), doc: "L2 weight decay"),
  ]

  /// A recipe from a schedule's training options (unknown names are an error) and a seed.
  public static func from(_ spec: NamedSpec, seed: UInt64) throws -> TrainingRecipe {
    let o = try MethodOptions.resolve(spec.options, specs: optionSpecs, owner: "training '\(spec.name)'")
    let r = TrainingRecipe(
      epochs: try o.integer("epochs"), batchSize: try o.integer("batch_size"),
      learningRate: try o.number("lr"), momentum: try o.number("momentum"),
      weightDecay: try o.number("weight_decay"), seed: seed)
    try r.validate()
    return r
  }

  /// Throws when a value is out of range.
  public func validate() throws {
    guard epochs >= 0 else { throw bad("epochs", "must be ≥ 0, got \(epochs)") }
    guard batchSize > 0 else { throw bad("batch_size", "must be > 0, got \(batchSize)") }
    guard learningRate.isFinite, learningRate >= 0 else { throw bad("lr", "must be ≥ 0") }
    guard momentum >= 0, momentum < 1 else { throw bad("momentum", "must be in [0, 1)") }
    guard weightDecay.isFinite, weightDecay >= 0 else { throw bad("weight_decay", "must be ≥ 0") }
  }

  private func bad(_ option: String, _ message: String) -> MethodError {
    MethodError.invalidOption(owner: "training", option: option, message: message)
  }
}
