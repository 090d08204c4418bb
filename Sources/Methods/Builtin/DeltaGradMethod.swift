import Core
import Foundation

/// `deltagrad` (Wu, Dobriban & Davidson, 2020, "DeltaGrad: Rapid retraining of machine learning
/// models"): `prepare` caches an SGD trajectory (iterates and gradients); unlearning replays it
/// without x*, computing exact gradients for the first `j0` steps and every `t0`-th step after
/// and L-BFGS approximations from the `history` newest pairs in between (`DeltaGradReplay`).
///
/// Two scopes:
/// - `head` (default; the survey's choice for ResNet-18, and for the CNN): after M0's training,
///   the last Linear layer is retrained from its initial weights over the frozen features of
///   the layers below (a convex softmax regression), with DeltaGrad's CIFAR-10 transfer-learning
///   settings; that phase is cached and replayed. It changes M0's head, so DeltaGrad trains an
///   M0 of its own (M_retrain stays the plain reference).
/// - `model`: M0's own training of every parameter is cached and replayed with M0's recipe
///   (momentum, weight decay, learning rate). Exact for convex models (logistic regression, a
///   linear model); models with dropout or batch norm cannot be replayed and fail with a reason.
///
/// With `exact`, every step is exact: DeltaGrad's baseline, retraining along the same
/// trajectory, whose time the DeltaGrad run's speedup is measured against "on the head".
public final class DeltaGradMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "deltagrad",
    summary: "DeltaGrad (Wu et al. 2020): replay a cached SGD trajectory without x*, L-BFGS between exact steps",
    options: [
      OptionSpec("scope", .string, default: .string("head"), doc: "head (last layer over frozen features) or model")
        .choosing(["head", "model"]),
      OptionSpec("j0", .integer, default: .number(20), doc: "exact steps at the start (DeltaGrad's --init)"),
      OptionSpec("t0", .integer, default: .number(5), doc: "period of exact steps after j0 (DeltaGrad's --period)"),
      OptionSpec("history", .integer, default: .number(2), doc: "L-BFGS pairs kept (DeltaGrad's m)"),
      OptionSpec("exact", .bool, default: .bool(false), doc: "exact gradients at every step (the retraining baseline)"),
      OptionSpec("head_epochs", .integer, default: .number(100), doc: "epochs of the head phase (scope head)"),
      OptionSpec("head_batch_size", .integer, default: .number(10000), doc: "batch size of the head phase"),
      OptionSpec("head_lr", .number, default: .number(0.05), doc: "learning rate of the head phase"),
      OptionSpec("head_weight_decay", .number, default: .number(1e-4), doc: "weight decay of the head phase"),
      OptionSpec(
        "memory_limit_mib", .integer, default: .number(1024),
        doc: "iterates and gradients above this many MiB go to cache_dir"),
      OptionSpec("cache_dir", .string, default: .string(""), doc: "folder for a trajectory above the memory limit"),
    ])

  /// The method.
  public init() {}

  /// The trajectory recorder for the options' scope.
  public func prepare(options: MethodOptions) throws -> TrainingObserver? {
    let limit = try options.integer("memory_limit_mib")
    guard limit >= 0, limit < 1 << 30 else {
      throw MethodError.invalidOption(owner: "deltagrad", option: "memory_limit_mib", message: "must be in 0..<2³⁰")
    }
    let directory = try options.string("cache_dir")
    let bytes = limit * 1_048_576
    switch try options.string("scope") {
    case "model":
      return DeltaGradPreparation.ModelTrajectory(memoryLimitBytes: bytes, directory: directory.isEmpty ? nil : directory)
    case "head":
      return DeltaGradPreparation.HeadTrajectory(
        phase: try Self.headPhase(options), memoryLimitBytes: bytes, directory: directory.isEmpty ? nil : directory)
    case let other:
      throw MethodError.invalidOption(owner: "deltagrad", option: "scope", message: "must be head or model, got '\(other)'")
    }
  }

  static func headPhase(_ o: MethodOptions) throws -> DeltaGradPreparation.HeadPhase {
    let p = DeltaGradPreparation.HeadPhase(
      epochs: try o.integer("head_epochs"), batchSize: try o.integer("head_batch_size"),
      learningRate: try o.number("head_lr"), weightDecay: try o.number("head_weight_decay"))
    guard p.epochs > 0 else { throw MethodError.invalidOption(owner: "deltagrad", option: "head_epochs", message: "must be > 0") }
    guard p.batchSize > 0 else {
      throw MethodError.invalidOption(owner: "deltagrad", option: "head_batch_size", message: "must be > 0")
    }
    guard p.learningRate > 0, p.learningRate.isFinite else {
      throw MethodError.invalidOption(owner: "deltagrad", option: "head_lr", message: "must be > 0")
    }
    guard p.weightDecay >= 0, p.weightDecay.isFinite else {
      throw MethodError.invalidOption(owner: "deltagrad", option: "head_weight_decay", message: "must be ≥ 0")
    }
    return p
  }

  /// A linear head (scope head) or a replayable model (scope model).
  public func applicability(to request: ForgetRequest, model: Learner, options: MethodOptions) -> Applicability {
    guard let module = model.singleModule else {
      return .notApplicable("DeltaGrad replays one module's training; this learner is an ensemble")
    }
    guard module.linearHead != nil else {
      return .notApplicable("DeltaGrad needs a model with a linear head (a last Linear layer); this one has none")
    }
    if (try? options.string("scope")) == "model", let problem = DeltaGradPreparation.modelScopeProblem(module) {
      return .notApplicable(problem)
    }
    return .applies
  }

  /// Replays the cached trajectory without x*.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let o = context.options
    if let reason = applicability(to: context.request, model: context.model, options: o).reason {
      throw MethodError.notApplicable(method: "deltagrad", reason: reason)
    }
    let (j0, t0, history) = (try o.integer("j0"), try o.integer("t0"), try o.integer("history"))
    guard j0 >= 0 else { throw MethodError.invalidOption(owner: "deltagrad", option: "j0", message: "must be ≥ 0") }
    guard t0 > 0 else { throw MethodError.invalidOption(owner: "deltagrad", option: "t0", message: "must be > 0") }
    guard history > 0 else { throw MethodError.invalidOption(owner: "deltagrad", option: "history", message: "must be > 0") }
    let scope = try o.string("scope")
    let a = context.artifacts
    let trajectory = try DeltaGradTrajectory(a, method: DeltaGradPreparation.method)
    let stored = a.notes[DeltaGradPreparation.method]?["scope"] ?? "?"
    guard stored == scope else {
      throw MethodError.failed(method: "deltagrad", message: "M0's cached trajectory is for scope \(stored), not \(scope)")
    }
    let module = context.model.singleModule!
    let replayModule: Module
    let source: BatchSource
    var forget = Set(context.request.forget)
    let momentum: Double
    let weightDecay: Double
    var head: Linear?
    if scope == "head" {
      guard let (name, h) = module.linearHead, name == a.notes[DeltaGradPreparation.method]?["head"],
        let flat = a.vector(method: DeltaGradPreparation.method, name: "features"),
        let positions = a.vector(method: DeltaGradPreparation.method, name: "feature.positions"),
        !positions.isEmpty, flat.count % positions.count == 0
      else { throw MethodError.failed(method: "deltagrad", message: "M0's cached head features are missing") }
      let rowOf = Dictionary(positions.enumerated().map { (Int($0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
      forget = Set(context.request.forget.compactMap { rowOf[$0] })
      let labels = positions.map { Int32(context.request.train.label(at: Int($0))) }
      source = try Dataset(
        name: "deltagrad head features", sampleShape: [flat.count / positions.count],
        classCount: context.request.train.classCount, labels: labels, storage: .floats(flat),
        origin: "the frozen layers below the head")
      replayModule = h.clone()
      head = h
      momentum = 0
      weightDecay = try Self.headPhase(o).weightDecay
    } else {
      source = context.request.train
      replayModule = module
      momentum = context.recipe.momentum
      weightDecay = context.recipe.weightDecay
    }
    let exact = try o.bool("exact")
    let replay = DeltaGradReplay(
      module: replayModule, source: source, trajectory: trajectory, momentum: momentum, weightDecay: weightDecay,
      j0: j0, t0: t0, history: history, exact: exact, shouldStop: context.shouldStop)
    let report = try replay.run(forget: forget)
    if let head { try head.setParameterVector(replayModule.parameterVector()) }
    let notes = [
      "scope": scope, "mode": exact ? "exact (retraining along the trajectory)" : "deltagrad j0=\(j0) t0=\(t0) m=\(history)",
      "steps": "\(trajectory.steps)", "exact_steps": "\(report.exactSteps)", "approximate_steps": "\(report.approximateSteps)",
      "skipped_steps": "\(report.skippedSteps)", "rejected_pairs": "\(report.rejectedPairs)",
      "cache": trajectory.location, "cache_mib": a.notes[DeltaGradPreparation.method]?["cache_mib"] ?? "?",
    ]
    return UnlearningResult(model: context.model, notes: notes)
  }
}
