/// Counts the arithmetic models do, so that a method's cost can be compared with retraining's
/// without a clock: the deterministic side of the speedup (`Speedup.workRatio`).
///
/// What is counted, at the lowest layer every caller goes through — `Module.callAsFunction` —
/// so that Core's training loop, `Learner.lossAndGradient`, per-sample gradients, the gradient
/// differences of Hessian-vector products, ensembles and Lua methods are all counted without
/// bookkeeping of their own:
///
/// - each call of a module that is not itself inside another module's call (a *top-level* call:
///   a whole model, or a part of one that a method calls directly) adds the multiply-adds of its
///   weight layers for the batch it saw: for every descendant with a `weight` of rank ≥ 2 (Linear,
///   Conv2d), output elements per sample × weight elements per output unit, times the batch;
/// - a call made while the autograd graph is recorded (`GradMode.isEnabled`) counts three times
///   that — one forward and the backward's two products (input and weight gradients) — whether or
///   not `backward` follows; a call without recording (evaluation, `withoutGrad`) counts once.
///
/// Not counted: batch norm, activations, pooling, optimiser updates, and linear algebra on
/// parameter vectors outside modules (a K×K inverse, a Cholesky factorisation of a subset
/// Hessian). Those are small next to the layers' products for the survey's models; the wall-clock
/// speedup covers them.
///
/// Counting is off unless a `measure` is running; then each top-level call walks the module's
/// descendants once (tens of modules, negligible next to the products themselves).
public enum WorkMeter {
  /// The tally `measure` fills. A class so that nested calls add to it in place; used by the
  /// one thread that runs the measured code (kernels' worker threads never call modules).
  final class Tally: @unchecked Sendable {
    var work = Work()
    let parent: Tally?

    init(parent: Tally?) { self.parent = parent }

    func add(_ w: Work) {
      work = work + w
      parent?.add(w)
    }
  }

  @TaskLocal static var tally: Tally?
  @TaskLocal static var insideModule = false

  /// Whether a `measure` is running in this task.
  public static var isMeasuring: Bool { tally != nil }

  /// Runs `body` and returns what its module calls computed. Measures nest: an inner measure's
  /// work also counts in the outer one.
  public static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, work: Work) {
    let t = Tally(parent: tally)
    let result = try $tally.withValue(t) { try body() }
    return (result, t.work)
  }

  /// Runs `module`'s forward pass on `input`, counting it when it is a top-level call of a
  /// measured region (called by `Module.callAsFunction`).
  static func counting(_ module: Module, _ input: Variable, _ forward: () throws -> Variable) rethrows -> Variable {
    guard let t = tally, !insideModule else { return try forward() }
    let output = try $insideModule.withValue(true) { try forward() }
    module.lastOutputShape = output.shape
    let batch = input.shape.first ?? 1
    let perSample = multiplyAddsPerSample(of: module)
    let gradient = GradMode.isEnabled
    t.add(
      Work(
        multiplyAdds: perSample * Double(batch) * (gradient ? 3 : 1),
        gradientSamples: gradient ? batch : 0, forwardSamples: gradient ? 0 : batch))
    return output
  }

  /// The multiply-adds of one sample's forward pass through `module`'s weight layers, from the
  /// output shapes its last call left on them (`Module.lastOutputShape`).
  public static func multiplyAddsPerSample(of module: Module) -> Double {
    var total = 0.0
    for (_, m) in module.namedModules() {
      guard let out = m.lastOutputShape, out.count >= 2 else { continue }
      for (name, p) in m.localParameters where name == "weight" && p.shape.count >= 2 && p.shape[0] > 0 {
        let perOutputUnit = p.value.count / p.shape[0]
        total += Double(out.dropFirst().reduce(1, *)) * Double(perOutputUnit)
      }
    }
    return total
  }
}

/// The arithmetic a measured region did (`WorkMeter.measure`).
public struct Work: Sendable, Equatable, Codable {
  /// Multiply-adds of weight layers, a recorded (gradient) pass counting three times its forward.
  public var multiplyAdds: Double
  /// Samples that went through a top-level module call while the graph was recorded.
  public var gradientSamples: Int
  /// Samples that went through a top-level module call without recording (evaluation).
  public var forwardSamples: Int

  /// A tally.
  public init(multiplyAdds: Double = 0, gradientSamples: Int = 0, forwardSamples: Int = 0) {
    self.multiplyAdds = multiplyAdds
    self.gradientSamples = gradientSamples
    self.forwardSamples = forwardSamples
  }

  /// The sum of two tallies.
  public static func + (a: Work, b: Work) -> Work {
    Work(
      multiplyAdds: a.multiplyAdds + b.multiplyAdds, gradientSamples: a.gradientSamples + b.gradientSamples,
      forwardSamples: a.forwardSamples + b.forwardSamples)
  }

  enum CodingKeys: String, CodingKey {
    case multiplyAdds = "multiply_adds"
    case gradientSamples = "gradient_samples"
    case forwardSamples = "forward_samples"
  }
}
