import Core

/// Everything a method's `unlearn` may use.
public struct UnlearningContext {
  /// A fresh copy of M0; the method may modify it and return it. It arrives in training mode
  /// (as a freshly built module); it may be left in either mode, since every metric evaluates
  /// in evaluation mode (Core's `Evaluation`) and restores the mode afterwards.
  public var model: Learner
  /// The forget request (training set, x*, D \ x*, validation samples).
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
  /// M0's parameters and buffers (`model`'s state when the context was made): what `teacher()`
  /// restores however `model` has changed since.
  public let originalState: [Float]
  /// The dataset as the schedule named it (name and load options); nil outside a schedule.
  public var dataset: NamedSpec?
  /// Builds a new model of M0's architecture initialised from a seed (M0's own initialisation
  /// is seed `seed`); nil when the caller has none. See `freshModel(seed:)`.
  public var modelFactory: ((UInt64) throws -> Learner)?

  /// A context; `originalState` is taken from `model`.
  public init(model: Learner, request: ForgetRequest, options: MethodOptions, recipe: TrainingRecipe,
    initialState: [Float], artifacts: PreparedArtifacts = PreparedArtifacts(), seed: UInt64 = 0,
    shouldStop: @escaping @Sendable () -> Bool = { false }, dataset: NamedSpec? = nil,
    modelFactory: ((UInt64) throws -> Learner)? = nil)
  {
    self.model = model
    self.request = request
    self.options = options
    self.recipe = recipe
    self.initialState = initialState
    self.artifacts = artifacts
    self.seed = seed
    self.shouldStop = shouldStop
    self.originalState = model.stateVector()
    self.dataset = dataset
    self.modelFactory = modelFactory
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
