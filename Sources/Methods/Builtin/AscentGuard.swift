import Core
import Foundation

/// The guards of a gradient-ascent method (`neggrad`, `neggrad+`), checked at every step before
/// the update, on the losses at the current weights:
///
/// - **Forget-loss bound.** Ascent stops once a forget batch's mean cross-entropy exceeds
///   `bound` (by default ln K, the loss of a uniform guess over K classes: past it the model does
///   worse than chance on x*, and further ascent only wrecks the rest). The weights that reached
///   the bound are kept.
/// - **Non-finite loss.** A loss that is NaN or infinite is not an error here: the step is not
///   taken, and the weights of the last step whose losses were finite are restored.
///
/// Either way the guard throws `Stop` out of the loss closure; the method catches it, calls
/// `finish`, and records `notes` with the run. The step counter counts steps actually taken.
final class AscentGuard {
  /// The option that sets the bound, shared by the ascent methods' configurations.
  static let boundOption = OptionSpec(
    "forget_loss_bound", .number, default: .number(0),
    doc: "stop once a forget batch's mean loss exceeds this; 0 means ln K (a uniform guess's loss)")

  /// Thrown from a loss closure to end the ascent.
  struct Stop: Error {}

  private let learner: Learner
  /// The forget-loss bound.
  let bound: Double
  /// Steps admitted (each one was then taken).
  private(set) var steps = 0
  /// The mean forget loss of the last admitted step.
  private(set) var lastForgetLoss: Double?
  /// Why the ascent stopped early (nil: it did not).
  private(set) var stopReason: String?
  private var lastFiniteState: [Float]?
  private var restoreOnFinish = false

  /// A guard over `learner` (the model being unlearned) with forget-loss `bound`.
  init(learner: Learner, bound: Double) {
    self.learner = learner
    self.bound = bound
  }

  /// ln K for a model of `classCount` outputs: the cross-entropy of a uniform prediction.
  static func uniformLoss(classCount: Int) -> Double { log(Double(max(classCount, 2))) }

  /// Admits the step whose forget batch has mean cross-entropy `forgetLoss` (and whose other
  /// loss terms sum to `otherLoss`), or throws `Stop`.
  func admit(forgetLoss: Float, otherLoss: Float = 0) throws {
    guard forgetLoss.isFinite && otherLoss.isFinite else {
      let kept = steps == 0 ? "M0's weights" : "the weights before step \(steps)"
      stopReason = "non-finite loss at step \(steps + 1) (forget \(forgetLoss), other \(otherLoss)); kept \(kept)"
      restoreOnFinish = true
      throw Stop()
    }
    guard Double(forgetLoss) <= bound else {
      stopReason = String(
        format: "forget loss %.4f passed the bound %.4f at step %d; stopped there", forgetLoss, bound, steps + 1)
      throw Stop()
    }
    // The weights before this step gave finite losses: the ones to go back to if a later step's
    // losses are not finite.
    lastFiniteState = learner.stateVector()
    lastForgetLoss = Double(forgetLoss)
    steps += 1
  }

  /// Runs `training` (whose loss closures call `admit`) to its end or to the guard's `Stop`, then
  /// `finish`es; returns the guard's notes merged with `extra`.
  func run(_ training: () throws -> Void, notes extra: [String: String]) throws -> [String: String] {
    do {
      try training()
    } catch is Stop {
      try finish()
    }
    return notes.merging(extra) { a, _ in a }
  }

  /// After a `Stop`: restores the last finite weights when the stop was a non-finite loss.
  func finish() throws {
    if restoreOnFinish, let state = lastFiniteState { try learner.loadStateVector(state) }
  }

  /// What the guard did, for the run's notes.
  var notes: [String: String] {
    var n = ["steps": "\(steps)", "forget_loss_bound": String(format: "%.4f", bound)]
    if let l = lastForgetLoss { n["last_forget_loss"] = String(format: "%.4f", l) }
    n["stopped"] = stopReason ?? "no (step budget used)"
    return n
  }
}
