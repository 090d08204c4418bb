import Core
import Foundation

/// `sekhari` (Sekhari et al., 2021, "Remember What You Want to Forget"): a Newton step from
/// Hessian statistics of the training set stored when M0 trained, so unlearning needs only x*:
///
///   Ĥ = (n·H_D − Σ_{x ∈ x*} ∇²ℓ(x)) / (n − m) + (wd + l2)·I,
///   w ← w + Ĥ⁻¹ · Σ_{x ∈ x*} (∇ℓ(x) + wd·w) / (n − m),
///
/// on the parameters LCODEC selects, reverted when validation accuracy falls by more than
/// `revert_drop` (see `NewtonEdit`); Gaussian noise for (ε, δ)-unlearning is an option, off by
/// default as in the survey. There is no official code; LCODEC's (`HessType = Sekhari`) is the
/// reference for the defaults.
///
/// The selection depends on x*, unknown while M0 trains, so `prepare` stores statistics from
/// which H_D can be formed on any subset:
/// - **secant** (every model; LCODEC's choice): the epoch means of the training gradients and
///   the parameters at the end of the last two epochs. On a subset, with s = Δw and
///   y = Δḡ + wd·s, H_D ≈ y·yᵀ/(yᵀs), the rank-one estimate that satisfies H_D·s = y (LCODEC
///   divides by ‖s‖₁ instead, which depends on the subset's size). The forget set's Hessian is
///   estimated the same way, as the reference intends: from the change of the mean gradient of
///   `hessian_samples` forget samples over one SGD step of 10⁻³ on their loss (the reference
///   computes it from the same gradient twice, so it is always zero there).
/// - **dense** (models of at most 1,024 parameters, Sekhari et al.'s convex setting): the
///   Gauss–Newton matrix of M0 over all of D — the exact Hessian for logistic regression — with
///   x*'s exact Gauss–Newton matrix at unlearning.
/// `hessian` = auto takes the dense statistics when M0 has them.
public final class SekhariMethod: UnlearningMethod {
  /// The most parameters for which `prepare` stores the dense Hessian (4 MiB of Float32).
  public static let denseLimit = 1024

  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "sekhari",
    summary: "Sekhari et al. 2021: a Newton step from stored training Hessian statistics on LCODEC's slices",
    options: NewtonEdit.optionSpecs + [
      OptionSpec(
        "hessian", .string, default: .string("auto"),
        doc: "H_D from: dense (models ≤ 1,024 parameters), secant (last two epochs), auto (dense when stored)"
      ).choosing(["auto", "dense", "secant"]),
      OptionSpec(
        "hessian_samples", .integer, default: .number(256),
        doc: "forget samples x*'s Hessian is measured on, seeded (0: all of x*)"),
      OptionSpec("noise", .bool, default: .bool(false), doc: "add Gaussian noise for (ε, δ)-unlearning"),
      OptionSpec("epsilon", .number, default: .number(0.1), doc: "ε of the noise (LCODEC's 0.1)"),
      OptionSpec("delta", .number, default: .number(0.01), doc: "δ of the noise (LCODEC's 0.01)"),
    ])

  /// The method.
  public init() {}

  /// Records the statistics (it only watches M0's training).
  public func prepare(options: MethodOptions) throws -> TrainingObserver? { Statistics() }

  /// One module with slices to edit.
  public func applicability(to request: ForgetRequest, model: Learner, options: MethodOptions) -> Applicability {
    NewtonEdit.applicability(model)
  }

  /// The Newton step from the stored statistics.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    var edit = try NewtonEdit(method: "sekhari", context: context)
    let o = context.options
    let problem = context.artifacts.notes["sekhari"]?["problem"]
    let dense = context.artifacts.vector(method: "sekhari", name: "dense.hessian")
    let kind: String
    switch try o.string("hessian") {
    case "auto": kind = dense != nil ? "dense" : "secant"
    case "dense":
      guard dense != nil else {
        throw MethodError.failed(
          method: "sekhari",
          message: problem ?? "M0 holds no dense Hessian: it is stored for models of at most \(Self.denseLimit) parameters")
      }
      kind = "dense"
    case "secant": kind = "secant"
    case let other:
      throw MethodError.invalidOption(owner: "sekhari", option: "hessian", message: "must be auto, dense or secant, got '\(other)'")
    }
    let (n, m) = edit.sizes
    let lambda = try edit.damping()
    let frozen = edit
    let g = try edit.timed("gradient") { try frozen.removedGradient() }
    let indices = try edit.loss.flatIndices()
    var step: [Double]
    let clock = ContinuousClock()
    let t0 = clock.now
    do {
      if kind == "dense", let dense {
        step = try denseStep(&edit, hessian: dense, indices: indices, g: g, lambda: lambda)
      } else {
        step = try secantStep(&edit, indices: indices, g: g, lambda: lambda)
      }
      edit.notes["hessian_and_solve_s"] = String(format: "%.3f", (clock.now - t0).seconds)
    } catch let e as MethodError {
      throw e
    } catch {
      throw MethodError.failed(method: "sekhari", message: "cannot solve the Newton system: \(error)")
    }
    for i in step.indices { step[i] /= Double(n - m) }
    if try o.bool("noise") {
      let sigma = try Self.noiseStd(n: n, m: m, lambda: lambda, epsilon: o.number("epsilon"), delta: o.number("delta"))
      var rng = RandomGenerator(seed: context.seed ^ 0x5E4A)
      for i in step.indices { step[i] += sigma * Double(rng.nextNormal()) }
      edit.notes["noise_std"] = String(format: "%.6g", sigma)
    }
    return try edit.apply(step)
  }

  /// Ĥ from the dense H_D restricted to the subset and x*'s Gauss–Newton matrix; Ĥ⁻¹·g.
  private func denseStep(
    _ edit: inout NewtonEdit, hessian: [Float], indices: [Int], g: [Double], lambda: Double
  ) throws -> [Double] {
    let (n, m) = edit.sizes
    let total = Int(Double(hessian.count).squareRoot().rounded())
    guard total * total == hessian.count, indices.allSatisfy({ $0 < total }) else {
      throw MethodError.failed(method: "sekhari", message: "the stored Hessian does not fit the model")
    }
    let samples = try edit.context.options.integer("hessian_samples")
    guard samples >= 0 else {
      throw MethodError.invalidOption(owner: "sekhari", option: "hessian_samples", message: "must be ≥ 0")
    }
    let points = edit.sample(edit.context.request.forget, count: samples, salt: 0x5E)
    let forgetHessian = try DenseMatrix.gram(try edit.loss.gaussNewtonRows(points), dividedBy: Double(points.count))
    let p = indices.count
    var h = try DenseMatrix(rows: p, columns: p)
    let scale = 1 / Double(n - m)
    for a in 0..<p {
      for b in 0..<p {
        let full = Double(hessian[indices[a] * total + indices[b]])
        h[a, b] = scale * (Double(n) * full - Double(m) * forgetHessian[a, b])
      }
    }
    h.addToDiagonal(lambda)
    edit.notes["hessian"] =
      "dense: M0's Gauss–Newton over D, minus x*'s over \(points.count) forget samples, + \(lambda)·I"
    if let c = try? CholeskyFactorization(h) { return try c.solve(g) }
    return try LUFactorization(h).solve(g)
  }

  /// Ĥ from the secant statistics (rank two plus λI); Ĥ⁻¹·g.
  private func secantStep(_ edit: inout NewtonEdit, indices: [Int], g: [Double], lambda: Double) throws -> [Double] {
    let (n, m) = edit.sizes
    let a = edit.context.artifacts
    guard let gPrev = a.vector(method: "sekhari", name: "secant.grad.prev"),
      let gLast = a.vector(method: "sekhari", name: "secant.grad.last"),
      let wPrev = a.vector(method: "sekhari", name: "secant.params.prev"),
      let wLast = a.vector(method: "sekhari", name: "secant.params.last")
    else {
      throw MethodError.failed(method: "sekhari", message: "M0 holds no secant statistics (it trained for fewer than two epochs)")
    }
    let wd = edit.weightDecay
    let s = indices.map { Double(wLast[$0]) - Double(wPrev[$0]) }
    let y = indices.indices.map { Double(gLast[indices[$0]]) - Double(gPrev[indices[$0]]) + wd * s[$0] }

    // The mean gradient of (a sample of) x* before and after one SGD step of 1e-3 on x*'s loss.
    let samples = try edit.context.options.integer("hessian_samples")
    guard samples >= 0 else {
      throw MethodError.invalidOption(owner: "sekhari", option: "hessian_samples", message: "must be ≥ 0")
    }
    let points = edit.sample(edit.context.request.forget, count: samples, salt: 0x5E)
    let w = edit.subset.values()
    var mean0 = g
    if points.count == m {
      for i in mean0.indices { mean0[i] = (mean0[i] - Double(m) * wd * w[i]) / Double(m) }
    } else {
      mean0 = try edit.loss.gradientSum(points).map { $0 / Double(points.count) }
    }
    let sForget = mean0.map { -1e-3 * $0 }
    try edit.subset.addToValues(sForget)
    let moved = try edit.loss.gradientSum(points)
    try edit.subset.setValues(w)
    let yForget = moved.indices.map { moved[$0] / Double(points.count) - mean0[$0] + wd * sForget[$0] }

    var rows: [[Double]] = []
    var coefficients: [Double] = []
    var used: [String] = []
    let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
    if sy > 0 {
      rows.append(y)
      coefficients.append(Double(n) / (Double(n - m) * sy))
      used.append("training secant (yᵀs = \(String(format: "%.3g", sy)))")
    } else {
      used.append("no training curvature (yᵀs = \(String(format: "%.3g", sy)) ≤ 0)")
    }
    let syForget = zip(sForget, yForget).reduce(0) { $0 + $1.0 * $1.1 }
    if syForget > 0 {
      rows.append(yForget)
      coefficients.append(-Double(m) / (Double(n - m) * syForget))
      used.append("x* secant (yᵀs = \(String(format: "%.3g", syForget)))")
    } else {
      used.append("no x* curvature")
    }
    edit.notes["hessian"] = "secant, rank \(rows.count) + \(lambda)·I: " + used.joined(separator: "; ")
    let matrix = try DiagonalPlusLowRank(
      lambda: lambda, rows: Tensor(shape: [rows.count, indices.count], storage: rows.flatMap { $0.map { Float($0) } }),
      coefficients: coefficients)
    return try matrix.solve(g)
  }

  /// LCODEC's `NoisyReturn`: σ = (2·M·L²·m² / (n²·λ³)) / ε · √(2·ln(1.25/δ)) with M = 0.25,
  /// L = 1 (cross-entropy's constants there).
  static func noiseStd(n: Int, m: Int, lambda: Double, epsilon: Double, delta: Double) throws -> Double {
    guard epsilon > 0, delta > 0, delta < 1 else {
      throw MethodError.invalidOption(owner: "sekhari", option: "epsilon", message: "ε must be > 0 and δ in (0, 1)")
    }
    guard lambda > 0 else {
      throw MethodError.invalidOption(owner: "sekhari", option: "l2", message: "the noise needs λ = wd + l2 > 0")
    }
    let gamma = 2 * 0.25 * Double(m * m) / (Double(n) * Double(n) * lambda * lambda * lambda)
    return gamma / epsilon * (2 * Foundation.log(1.25 / delta)).squareRoot()
  }

  /// Records the secant statistics every epoch and, for small models, the dense Hessian at the
  /// end. Failures are recorded as a problem note (M0's training goes on; unlearning reports it).
  final class Statistics: TrainingObserver {
    private var sum: [Double] = []
    private var steps = 0

    func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      if sum.count != step.gradient.count { sum = [Double](repeating: 0, count: step.gradient.count) }
      for i in sum.indices { sum[i] += Double(step.gradient[i]) }
      steps += 1
    }

    func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      guard steps > 0 else { return }
      let mean = sum.map { Float($0 / Double(steps)) }
      if let last = artifacts.vector(method: "sekhari", name: "secant.grad.last"),
        let params = artifacts.vector(method: "sekhari", name: "secant.params.last")
      {
        artifacts.store(last, method: "sekhari", name: "secant.grad.prev")
        artifacts.store(params, method: "sekhari", name: "secant.params.prev")
      }
      artifacts.store(mean, method: "sekhari", name: "secant.grad.last")
      artifacts.store(learner.parameterVector(), method: "sekhari", name: "secant.params.last")
      sum = [Double](repeating: 0, count: sum.count)
      steps = 0
    }

    func trainingDidFinish(
      _ learner: Learner, source: BatchSource, indices: [Int]?, artifacts: inout PreparedArtifacts
    ) throws {
      guard let module = learner.singleModule, learner.parameterCount <= SekhariMethod.denseLimit else { return }
      do {
        let loss = SubsetLoss(module: module, subset: ParameterSubset(allOf: module), source: source)
        let all = indices ?? Array(0..<source.sampleCount)
        var h: DenseMatrix?
        for chunk in SubsetLoss.chunks(all, 2048) {
          let part = try DenseMatrix.gram(try loss.gaussNewtonRows(chunk), dividedBy: Double(all.count))
          if var sum = h {
            for i in sum.storage.indices { sum.storage[i] += part.storage[i] }
            h = sum
          } else {
            h = part
          }
        }
        guard let h, h.rows == learner.parameterCount else {
          artifacts.notes["sekhari", default: [:]]["problem"] = "the dense Hessian does not cover every parameter"
          return
        }
        artifacts.store(h.storage.map { Float($0) }, method: "sekhari", name: "dense.hessian")
      } catch {
        artifacts.notes["sekhari", default: [:]]["problem"] = "computing the dense Hessian failed: \(error)"
      }
    }
  }
}
