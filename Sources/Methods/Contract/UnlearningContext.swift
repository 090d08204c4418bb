import Core

/// Everything a method's `unlearn` may use.
public struct UnlearningContext {
  /// A fresh copy of M0; the method may modify it and return it.
  public var model: Learner
  /// The forget request (training set, x*, D \ x*).
  public var request: ForgetRequest
  /// The method's resolved options.
  public var options: MethodOptions
  /// How M0 was trained (hyperparameters and seed).
  public var recipe: TrainingRecipe
  /// M0's parameters and buffers before training (its initialisation).
  public var initialState: [Float]
  /// What this method's observer recorded while M0 trained (all methods' artifacts, by name).
  public var artifacts: PreparedArtifacts
  /// Seeds the method's own randomness.
  public var seed: UInt64
  /// Checked between steps: returns true when the user asked to stop (Ctrl-C).
  public var shouldStop: @Sendable () -> Bool

  /// A context.
  public init(model: Learner, request: ForgetRequest, options: MethodOptions, recipe: TrainingRecipe,
    initialState: [Float], artifacts: PreparedArtifacts = PreparedArtifacts(), seed: UInt64 = 0,
    shouldStop: @escaping @Sendable () -> Bool = { false })
  {
    self.model = model
    self.request = request
    self.options = options
    self.recipe = recipe
    self.initialState = initialState
    self.artifacts = artifacts
    self.seed = seed
    self.shouldStop = shouldStop
  }
}

/// What a method returns: M_unlearn and a report of what it did.
public struct UnlearningResult {
  /// The unlearned model.
  public var model: Learner
  /// What the method did, in its own words (steps, epochs, checkpoint used, ...).
  public var notes: [String: String]
  /// Output classes the unlearned model no longer predicts (Linear Filtration drops the
  /// forgotten classes); empty for most methods. Metrics then compare outputs on the other
  /// classes only, as the survey's convention says: accuracy is the argmax over them, and
  /// softmax-based measures (DIST_output, the attack's features) renormalise over them, for
  /// M_unlearn and M_retrain alike.
  public var removedClasses: [Int]

  /// A result.
  public init(model: Learner, notes: [String: String] = [:], removedClasses: [Int] = []) {
    self.model = model
    self.notes = notes
    self.removedClasses = removedClasses
  }
}
