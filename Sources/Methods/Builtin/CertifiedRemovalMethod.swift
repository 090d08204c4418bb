import Core
import Foundation

/// `cr`, certified removal (Guo et al., 2020, "Certified Data Removal from Machine Learning
/// Models"): one Newton step from M0 towards the optimum of the regularised loss without x*,
///
///   w ← w + H⁻¹·g / (n − m),   g = Σ_{x ∈ x*} (∇ℓ(x) + wd·w),
///   H = mean Hessian of ℓ over D \ x* + (wd + l2)·I,
///
/// which for L2-regularised logistic regression at its optimum is Guo et al.'s update (their
/// summed form H = Σ_{D\x*} ∇²ℓ + λ(n − m)·I, Δ = H⁻¹·Σ_{x*}∇(ℓ + λ/2‖w‖²)). As in the survey
/// (and LCODEC's code), deep models are edited only on the slices LCODEC selects, without noise;
/// the edit is reverted when validation accuracy falls by more than `revert_drop` (see
/// `NewtonEdit`). The Hessian is the Gauss–Newton matrix on a seeded sample of
/// `hessian_samples` retained points (exact for logistic regression; its positive part
/// otherwise), solved directly (`DiagonalPlusLowRank`).
///
/// Objective perturbation (Guo et al.'s training-time noise b·w/n with b ~ N(0, σ²)) is the
/// `noise_std` option, off by default as in the survey; it changes M0's training, so CR then
/// trains an M0 of its own.
public final class CertifiedRemovalMethod: UnlearningMethod {
  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "cr",
    summary: "certified removal (Guo et al. 2020): a Newton step on LCODEC's slices, reverted if validation drops",
    options: NewtonEdit.optionSpecs + [
      OptionSpec(
        "hessian_samples", .integer, default: .number(128),
        doc: "retained samples the Hessian is measured on, seeded (0: all of D \\ x*)"),
      OptionSpec(
        "noise_std", .number, default: .number(0),
        doc: "objective-perturbation std σ added to M0's training (0: off; Guo et al. use 10)"),
    ])

  /// The method.
  public init() {}

  /// Objective perturbation when `noise_std` > 0 (an own M0), else nothing to prepare.
  public func prepare(options: MethodOptions) throws -> TrainingObserver? {
    let std = try options.number("noise_std")
    guard std >= 0 else { throw MethodError.invalidOption(owner: "cr", option: "noise_std", message: "must be ≥ 0") }
    return std > 0 ? ObjectivePerturbation(std: std) : nil
  }

  /// One module with slices to edit.
  public func applicability(to request: ForgetRequest, model: Learner, options: MethodOptions) -> Applicability {
    NewtonEdit.applicability(model)
  }

  /// The Newton step on the selected parameters.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    var edit = try NewtonEdit(method: "cr", context: context)
    let samples = try context.options.integer("hessian_samples")
    guard samples >= 0 else {
      throw MethodError.invalidOption(owner: "cr", option: "hessian_samples", message: "must be ≥ 0")
    }
    let (n, m) = edit.sizes
    let frozen = edit
    let g = try edit.timed("gradient") { try frozen.removedGradient() }
    let points = edit.sample(context.request.retained, count: samples, salt: 0xC5)
    let bound = Double(points.count * context.model.classCount) * Double(edit.subset.count) * 4
    guard bound <= 4 * 1_073_741_824 else {
      throw MethodError.failed(
        method: "cr",
        message: String(format: "the Hessian's rows would need up to %.1f GiB (%d samples × %d classes × %d parameters); lower hessian_samples or edit fewer parameters",
          bound / 1_073_741_824, points.count, context.model.classCount, edit.subset.count))
    }
    let loss = edit.loss
    let rows = try edit.timed("hessian") { try loss.gaussNewtonRows(points) }
    let hessian = try DiagonalPlusLowRank(
      lambda: try edit.damping(), rows: rows,
      coefficients: [Double](repeating: 1 / Double(points.count), count: rows.shape[0]))
    let step: [Double]
    do {
      step = try edit.timed("solve") { try hessian.solve(g).map { $0 / Double(n - m) } }
    } catch {
      throw MethodError.failed(method: "cr", message: "cannot solve the Newton system: \(error)")
    }
    edit.notes["hessian"] = "Gauss–Newton on \(points.count) retained samples (\(rows.shape[0]) rows) + \(edit.weightDecay + (try context.options.number("l2")))·I"
    return try edit.apply(step)
  }

  /// Guo et al.'s objective perturbation: M0 minimises the mean loss + b·w/n, b ~ N(0, σ²)
  /// per parameter, drawn from a fixed seed (so the own M0 is reproducible and cacheable).
  final class ObjectivePerturbation: TrainingObserver {
    let std: Double
    init(std: Double) { self.std = std }

    var trainingChange: String? { "objective perturbation std=\(std)" }

    func configure(_ trainer: Trainer, learner: Learner, trainingSamples: Int) throws {
      var rng = RandomGenerator(seed: 0x0B1E_C7)
      let module = trainer.model
      let scale = Float(std / Double(max(trainingSamples, 1)))
      let noise = module.parameters().map { p in Variable(Tensor.normal(p.value.shape, std: 1, rng: &rng) * scale) }
      trainer.extraLoss = { model, _ in
        var total: Variable?
        for (p, b) in zip(model.parameters(), noise) {
          let term = try (p * b).sum()
          total = try total.map { try $0 + term } ?? term
        }
        return total
      }
    }
  }
}
