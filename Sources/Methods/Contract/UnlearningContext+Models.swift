import Core

extension UnlearningContext {
  /// A frozen copy of M0 (the teacher of SCRUB and of the bad teacher): M0's state, evaluation
  /// mode, parameters that record no gradients. Independent of `model`.
  public func teacher() throws -> Learner {
    let t = model.copy()
    try t.loadStateVector(originalState)
    Self.freeze(t)
    return t
  }

  /// A copy of the model with M0's initial weights (before training), in training mode.
  public func initialModel() throws -> Learner {
    let m = model.copy()
    try m.loadStateVector(initialState)
    for c in m.constituents { c.module.train() }
    return m
  }

  /// A freshly initialised model of M0's architecture (the incompetent teacher of Chundawat et
  /// al.), in training mode. Its seed defaults to one derived from the run's seed, so it differs
  /// from M0's own initialisation (`initialModel()`) and repeats from run to run. Throws when the
  /// context was made without a `modelFactory`.
  public func freshModel(seed: UInt64? = nil) throws -> Learner {
    guard let modelFactory else {
      throw MethodError.failed(method: "context", message: "this context cannot build new models (no model factory)")
    }
    let m = try modelFactory(seed ?? (self.seed ^ 0xF2E5_4D0D_E1ED))
    guard m.parameterCount == model.parameterCount else {
      throw MethodError.failed(method: "context", message: "the model factory built a different architecture")
    }
    return m
  }

  /// Evaluation mode and no gradients for every parameter of `learner`.
  static func freeze(_ learner: Learner) {
    for c in learner.constituents {
      c.module.eval()
      for p in c.module.parameters() { p.requiresGrad = false }
    }
  }
}
