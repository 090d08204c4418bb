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
    var sgd = FlatSGD(learningRate: try o.number("lr"), momentum: context.recipe.momentum)
    var rng = RandomGenerator(seed: context.seed &+ 0x4E36_2B)
    let retainedSet = Set(request.retained)
    let forgetSet = Set(request.forget)
    var parameters = model.parameterVector()
    var steps = 0
    var forgetBatches: [[Int]] = []
    outer: for _ in 0..<epochs {
      let batches = SGDTrainer.epochBatches(
        sourceCount: request.train.sampleCount, subset: retainedSet, batchSize: context.recipe.batchSize,
        rng: &rng)
      for indices in batches {
        if maxSteps > 0 && steps >= maxSteps { break outer }
        if context.shouldStop() { throw TrainingInterrupted() }
        if forgetBatches.isEmpty {
          forgetBatches = SGDTrainer.epochBatches(
            sourceCount: request.train.sampleCount, subset: forgetSet, batchSize: context.recipe.batchSize,
            rng: &rng)
        }
        let forgetIndices = forgetBatches.removeLast()
        let seed = context.seed &+ UInt64(steps)
        let retained = try request.train.batch(at: indices)
        let (_, gr) = try model.lossAndGradient(
          inputs: retained.inputs, targets: .labels(retained.labels), stepSeed: seed)
        let forget = try request.train.batch(at: forgetIndices)
        let (_, gf) = try model.lossAndGradient(
          inputs: forget.inputs, targets: .labels(forget.labels), stepSeed: seed &+ 1)
        let a = Float(alpha)
        var g = gr
        g.withUnsafeMutableBufferPointer { g in
          gf.withUnsafeBufferPointer { f in
            for i in 0..<g.count { g[i] = a * g[i] - (1 - a) * f[i] }
          }
        }
        sgd.step(&parameters, gradient: g)
        try model.loadParameterVector(parameters)
        steps += 1
      }
    }
    return UnlearningResult(model: model, notes: ["steps": "\(steps)", "alpha": "\(alpha)"])
  }
}
