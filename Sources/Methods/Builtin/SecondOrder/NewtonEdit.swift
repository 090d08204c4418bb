import Core
import Foundation

/// What CR and Sekhari et al. share (LCODEC's `inp_perturb` frame): choose the parameters to
/// edit (LCODEC's slices, or all of them), compute the removed points' gradient, apply a Newton
/// step the method computes, and revert it when validation accuracy falls by more than
/// `revert_drop` (LCODEC's `val_gap_skip`, 0.05), recording what happened in the notes.
///
/// The regularised objective is M0's: the mean cross-entropy plus (weight decay / 2)·‖w‖², so
/// the removed points' gradient is g = Σ_{x ∈ x*} (∇ℓ(x) + wd·w); `l2` is added to the
/// Hessian's diagonal on top of wd (LCODEC's `l2_reg` Hessian smoothing).
struct NewtonEdit {
  /// The method's name, for messages and notes.
  let method: String
  /// The run's context.
  let context: UnlearningContext
  /// The one module of the learner.
  let module: Module
  /// The parameters edited.
  let subset: ParameterSubset
  /// Loss tools over the subset on the training source.
  let loss: SubsetLoss
  /// What the method did, for the run's record.
  var notes: [String: String] = [:]

  /// The options both methods declare, after LCODEC's.
  static let optionSpecs: [OptionSpec] =
    LCODEC.optionSpecs + [
      OptionSpec(
        "selection", .string, default: .string("lcodec"),
        doc: "parameters edited: lcodec (the slices LCODEC selects) or all"
      ).choosing(["lcodec", "all"]),
      OptionSpec(
        "l2", .number, default: .number(0.001),
        doc: "added to the Hessian's diagonal on top of M0's weight decay (LCODEC's l2_reg)"),
      OptionSpec(
        "revert_drop", .number, default: .number(0.05),
        doc: "revert when validation accuracy falls by more than this fraction (LCODEC's val_gap_skip)"),
      OptionSpec(
        "validation_samples", .integer, default: .number(2000),
        doc: "test samples the revert check measures, seeded (0: all of them)"),
    ]

  /// Why a learner cannot be edited, or nil.
  static func applicability(_ model: Learner) -> Applicability {
    guard let m = model.singleModule else {
      return .notApplicable("Newton-step methods edit one module; this learner is an ensemble")
    }
    guard m.namedModules().contains(where: { $0.1 is Linear || $0.1 is Conv2d }) else {
      return .notApplicable("the model has no Linear or Conv2d layer whose slices could be edited")
    }
    return .applies
  }

  /// Chooses the subset (timing LCODEC) for `context`.
  init(method: String, context: UnlearningContext) throws {
    if let reason = Self.applicability(context.model).reason { throw MethodError.notApplicable(method: method, reason: reason) }
    let module = context.model.singleModule!
    let o = context.options
    let clock = ContinuousClock()
    let t0 = clock.now
    var notes: [String: String] = [:]
    let subset: ParameterSubset
    switch try o.string("selection") {
    case "all":
      subset = ParameterSubset(allOf: module)
      notes["selection"] = "all parameters"
    case "lcodec":
      let lcodec = try LCODEC.from(o, owner: method)
      let forget = try context.request.train.batch(at: context.request.forget)
      let selection = try lcodec.select(
        model: module, inputs: forget.inputs, labels: forget.labels, seed: context.seed)
      subset = try ParameterSubset(model: module, slices: selection.slices)
      notes["selection"] =
        "lcodec: \(selection.slices.count) of \(selection.candidates) slices from \(selection.points) forget samples"
      notes["slices"] = Self.listed(selection.slices.map(\.description), limit: 40)
      notes["slice_scores"] = Self.listed(selection.scores.map { String(format: "%.4f", $0) }, limit: 40)
      notes["lcodec_s"] = String(format: "%.3f", (clock.now - t0).seconds)
    case let other:
      throw MethodError.invalidOption(owner: method, option: "selection", message: "must be lcodec or all, got '\(other)'")
    }
    notes["edited_parameters"] = "\(subset.count)"
    self.method = method
    self.context = context
    self.module = module
    self.subset = subset
    self.loss = SubsetLoss(module: module, subset: subset, source: context.request.train)
    self.notes = notes
  }

  /// Runs `body` and notes its wall-clock time as `<phase>_s`.
  mutating func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
    let clock = ContinuousClock()
    let t0 = clock.now
    let result = try body()
    notes[phase + "_s"] = String(format: "%.3f", (clock.now - t0).seconds)
    return result
  }

  /// n, the training set's size, and m, the forget set's.
  var sizes: (n: Int, m: Int) { (context.request.train.sampleCount, context.request.forget.count) }

  /// M0's weight decay, the objective's L2 coefficient.
  var weightDecay: Double { context.recipe.weightDecay }

  /// λ for the Hessian's diagonal: M0's weight decay plus `l2`.
  func damping() throws -> Double {
    let l2 = try context.options.number("l2")
    guard l2 >= 0 else { throw MethodError.invalidOption(owner: method, option: "l2", message: "must be ≥ 0") }
    return weightDecay + l2
  }

  /// g = Σ_{x ∈ x*} (∇ℓ(x) + wd·w) over the subset.
  func removedGradient() throws -> [Double] {
    var g = try loss.gradientSum(context.request.forget)
    let w = subset.values()
    let scale = weightDecay * Double(context.request.forget.count)
    for i in g.indices { g[i] += scale * w[i] }
    return g
  }

  /// A seeded sample of at most `count` of `indices` (all of them for 0), sorted.
  func sample(_ indices: [Int], count: Int, salt: UInt64) -> [Int] {
    guard count > 0, count < indices.count else { return indices }
    var rng = RandomGenerator(seed: context.seed ^ salt)
    return rng.permutation(indices.count).prefix(count).map { indices[$0] }.sorted()
  }

  /// Adds `step` to the subset, then measures validation accuracy and reverts when it fell by
  /// more than `revert_drop`; returns the result with the notes.
  mutating func apply(_ step: [Double]) throws -> UnlearningResult {
    guard step.allSatisfy({ $0.isFinite }) else {
      throw MethodError.failed(method: method, message: "the Newton step is not finite (the Hessian is too ill-conditioned)")
    }
    let drop = try context.options.number("revert_drop")
    let limit = try context.options.integer("validation_samples")
    guard drop >= 0 else { throw MethodError.invalidOption(owner: method, option: "revert_drop", message: "must be ≥ 0") }
    guard limit >= 0 else {
      throw MethodError.invalidOption(owner: method, option: "validation_samples", message: "must be ≥ 0")
    }
    notes["step_norm"] = String(format: "%.6g", step.reduce(0) { $0 + $1 * $1 }.squareRoot())
    let before = subset.values()
    // The request's validation split (a seeded share of D \ x*), never the test set ACC_test uses.
    let pool = context.request.validation
    guard !pool.isEmpty else {
      try subset.addToValues(step)
      notes["reverted"] = "no (no validation set to check)"
      return UnlearningResult(model: context.model, notes: notes)
    }
    let indices = sample(pool, count: limit, salt: 0x7A11)
    let validation = context.request.train
    let module = self.module
    let accuracy = {
      try Evaluation.accuracy(of: module, on: validation, indices: indices, batchSize: Evaluation.learnerBatchSize)
    }
    let clock = ContinuousClock()
    let t0 = clock.now
    let old = try accuracy()
    try subset.addToValues(step)
    let new = try accuracy()
    notes["validation_s"] = String(format: "%.3f", (clock.now - t0).seconds)
    notes["validation_accuracy"] = String(format: "%.2f → %.2f (%d validation samples)", old, new, indices.count)
    if old - new > 100 * drop {
      try subset.setValues(before)
      notes["reverted"] = String(format: "yes: validation accuracy fell by %.2f points (> %.2f)", old - new, 100 * drop)
    } else {
      notes["reverted"] = "no"
    }
    return UnlearningResult(model: context.model, notes: notes)
  }

  /// The first `limit` items joined, with a count of the rest.
  static func listed(_ items: [String], limit: Int) -> String {
    let shown = items.prefix(limit).joined(separator: ", ")
    return items.count > limit ? shown + " (+\(items.count - limit) more)" : shown
  }
}
