import Core
import Foundation

/// `unlearnable` (Huang et al., 2021, "Unlearnable Examples"; reference code
/// `HanxunH/Unlearnable-Examples`): input editing. Sample-wise error-minimising noise δ is
/// searched for x* (`ErrorMinimizingNoise`: ‖δ‖∞ ≤ 8/255 on raw pixels, PGD of 20 steps of
/// 0.8/255 alternating with 10 steps of a noise model until its error on x* + δ is ≤ 1%), then the
/// model is retrained from M0's initialisation on D with x* replaced by x* + δ, with M0's recipe
/// and data order. The noise makes x* trivially easy, so the retrained model learns little from
/// x*'s own content.
///
/// The noise model starts from M0's initialisation and trains with M0's SGD settings (the
/// reference's CIFAR-10 config: SGD lr 0.1, momentum 0.9, weight decay 5e-4, from scratch).
/// Only images can be perturbed in pixel units: on other data (Purchase's features) the method
/// fails with a message saying so.
public final class UnlearnableMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "unlearnable",
    summary: "error-minimising noise on x* (‖δ‖∞ ≤ 8/255), then retrain on D with x* + δ",
    options: [
      OptionSpec("epsilon", .number, default: .number(8), doc: "L∞ bound of δ, in pixel levels of 255"),
      OptionSpec("step_size", .number, default: .number(0.8), doc: "PGD step, in pixel levels of 255"),
      OptionSpec("steps", .integer, default: .number(20), doc: "PGD steps per round"),
      OptionSpec("train_steps", .integer, default: .number(10), doc: "noise-model SGD steps per round"),
      OptionSpec("stop_error", .number, default: .number(0.01), doc: "stop when the error on x* + δ is at most this"),
      OptionSpec("max_rounds", .integer, default: .number(10), doc: "give up the search after this many rounds"),
      OptionSpec("batch_size", .integer, default: .number(512), doc: "samples per noise-model step and PGD batch"),
    ])

  /// The method.
  public init() {}

  /// Searches δ for x*, then retrains on D with x* + δ.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let train = context.request.train
    guard train.sampleShape.count == 3 else {
      throw MethodError.failed(
        method: "unlearnable",
        message: "perturbs images in pixel units; this training set has samples of shape \(train.sampleShape), "
          + "not [channels, height, width]")
    }
    guard let normalization = context.request.normalization else {
      throw MethodError.failed(
        method: "unlearnable", message: "the training set's input normalisation is unknown, so ε cannot be set on raw pixels")
    }
    guard let noiseModel = context.model.copy().singleModule else {
      throw MethodError.failed(method: "unlearnable", message: "works on a single model, not an ensemble")
    }
    let settings = try self.settings(context.options)
    try noiseModel.setStateVector(Tensor(shape: [context.initialState.count], storage: context.initialState))
    let clock = ContinuousClock()
    let t0 = clock.now
    let noise = try ErrorMinimizingNoise.search(
      noiseModel: noiseModel, train: train, positions: context.request.forget, normalization: normalization,
      recipe: context.recipe, settings: settings, seed: context.seed &+ 0xE4A5_E000, shouldStop: context.shouldStop)
    let searchSeconds = (clock.now - t0).seconds

    try context.model.loadStateVector(context.initialState)
    let perturbed = PerturbedSource(base: train, positions: context.request.forget, offsets: noise.normalizedDelta)
    let summary = try LearnerTrainer.train(
      context.model, TrainingRequest(source: perturbed, recipe: context.recipe, shouldStop: context.shouldStop))
    let magnitudes = noise.delta.map { abs($0) }
    let atBound = magnitudes.filter { $0 >= settings.epsilon * (1 - 1e-4) }.count
    func levels(_ x: Float) -> String { String(format: "%.2f/255", Double(x) * 255) }
    return UnlearningResult(
      model: context.model,
      notes: [
        "noise_rounds": "\(noise.rounds)" + (noise.converged ? "" : " (cap reached)"),
        "noise_error": String(format: "%.4f", noise.error),
        "noise_loss": String(format: "%.4f (clean x*: %.4f)", noise.loss, noise.cleanLoss),
        "noise_linf": levels(magnitudes.max() ?? 0),
        "noise_mean_abs": levels(magnitudes.reduce(0, +) / Float(max(1, magnitudes.count))),
        "noise_at_bound": String(format: "%.1f%%", 100 * Double(atBound) / Double(max(1, magnitudes.count))),
        "noise_search_s": String(format: "%.1f", searchSeconds),
        "retrain_steps": "\(summary.steps)",
      ])
  }

  /// The search settings from the options, checked.
  func settings(_ options: MethodOptions) throws -> ErrorMinimizingNoise.Settings {
    var s = ErrorMinimizingNoise.Settings()
    s.epsilon = Float(try options.number("epsilon") / 255)
    s.stepSize = Float(try options.number("step_size") / 255)
    s.steps = try options.integer("steps")
    s.trainSteps = try options.integer("train_steps")
    s.stopError = try options.number("stop_error")
    s.maxRounds = try options.integer("max_rounds")
    s.batchSize = try options.integer("batch_size")
    func bad(_ name: String, _ message: String) -> MethodError {
      MethodError.invalidOption(owner: "unlearnable", option: name, message: message)
    }
    guard s.epsilon >= 0 else { throw bad("epsilon", "must be ≥ 0") }
    guard s.stepSize >= 0 else { throw bad("step_size", "must be ≥ 0") }
    guard s.steps >= 0 else { throw bad("steps", "must be ≥ 0") }
    guard s.trainSteps >= 0 else { throw bad("train_steps", "must be ≥ 0") }
    guard s.stopError >= 0 else { throw bad("stop_error", "must be ≥ 0") }
    guard s.maxRounds >= 1 else { throw bad("max_rounds", "must be ≥ 1") }
    guard s.batchSize >= 1 else { throw bad("batch_size", "must be ≥ 1") }
    return s
  }
}
