/// Hessian-vector products H·v of a `SubsetObjective`, by finite differences of its gradient.
///
/// Why differences: Core's autograd records each backward rule as a closure from tensors to
/// tensors, so a gradient is not itself a recorded graph and cannot be differentiated again
/// (no double backward). The gradient is differenced along v instead:
///
/// - `.central`: D(h) = (∇L(w + h·v) − ∇L(w − h·v)) / 2h, error O(h²); 2 gradients.
/// - `.richardson` (default): (4·D(h/2) − D(h)) / 3, error O(h⁴); 4 gradients.
///
/// The step is relative: h·‖v‖ = `relativeStep` · (1 + rms(w)), with rms(w) the root mean
/// square of the subset's current values, so the perturbation keeps its size for subsets of
/// any dimension. Gradients are Float32, so rounding error grows as the step shrinks; the
/// defaults (central 1e-2, Richardson 5e-2) balance it against the truncation error. Measured
/// against exact Hessians of a logistic regression, a tanh MLP and a conv layer
/// (`SecondOrderHessianTests`): central ≈ 1e-5 relative, Richardson ≈ 5e-6. Where the loss has
/// kinks (ReLU, max-pool) a difference that straddles one measures the jump, not a second
/// derivative.
///
/// Every product perturbs the subset's parameters in place and restores their exact Float32
/// values before returning (also on error).
public struct HessianVectorProduct {
  /// The finite-difference formula.
  public enum Scheme: String, Sendable, CaseIterable {
    /// Central differences: 2 gradient evaluations per product, error O(h²).
    case central
    /// Richardson extrapolation of two central differences: 4 evaluations, error O(h⁴).
    case richardson

    /// The default relative step for this scheme.
    public var defaultRelativeStep: Double {
      switch self {
      case .central: return 1e-2
      case .richardson: return 5e-2
      }
    }

    /// Gradient evaluations per product.
    public var gradientEvaluations: Int { self == .central ? 2 : 4 }
  }

  /// The objective whose Hessian is applied.
  public let objective: SubsetObjective
  /// The difference formula.
  public let scheme: Scheme
  /// h·‖v‖ / (1 + rms(w)).
  public let relativeStep: Double

  /// Products of the Hessian of `objective` over its subset. Throws for a step that is not
  /// positive and finite.
  public init(objective: SubsetObjective, scheme: Scheme = .richardson, relativeStep: Double? = nil)
    throws
  {
    let step = relativeStep ?? scheme.defaultRelativeStep
    guard step > 0, step.isFinite else {
      throw SecondOrderError.invalidArgument("relative step \(step) must be positive and finite")
    }
    self.objective = objective
    self.scheme = scheme
    self.relativeStep = step
  }

  /// The subset's dimension.
  public var dimension: Int { objective.subset.count }

  /// H·v at the subset's current values.
  public func callAsFunction(_ v: [Double]) throws -> [Double] {
    let subset = objective.subset
    guard v.count == subset.count else {
      throw SecondOrderError.dimensionMismatch("a vector of \(v.count) for a Hessian of \(subset.count)")
    }
    guard v.allSatisfy({ $0.isFinite }) else {
      throw SecondOrderError.invalidArgument("a vector with non-finite values")
    }
    let norm = Float64Vectors.norm(v)
    guard norm > 0 else { return [Double](repeating: 0, count: v.count) }
    let w = subset.values()
    let rms = Float64Vectors.norm(w) / Double(Swift.max(w.count, 1)).squareRoot()
    let h = relativeStep * (1 + rms) / norm
    let saved = subset.exactValues()
    defer { subset.restore(saved) }
    func gradient(at t: Double) throws -> [Double] {
      subset.restore(saved)
      try subset.addToValues(v, scale: t)
      return try objective.gradient()
    }
    func central(_ step: Double) throws -> [Double] {
      let plus = try gradient(at: step)
      let minus = try gradient(at: -step)
      return zip(plus, minus).map { ($0 - $1) / (2 * step) }
    }
    switch scheme {
    case .central:
      return try central(h)
    case .richardson:
      let coarse = try central(h)
      let fine = try central(h / 2)
      return zip(fine, coarse).map { (4 * $0 - $1) / 3 }
    }
  }

  /// The dense Hessian over the subset, one product per coordinate (dimension × the scheme's
  /// gradient evaluations), symmetrized.
  public func dense() throws -> DenseMatrix {
    let n = dimension
    var h = try DenseMatrix(rows: n, columns: n)
    var e = [Double](repeating: 0, count: n)
    for j in 0..<n {
      e[j] = 1
      let column = try self(e)
      e[j] = 0
      for i in 0..<n { h[i, j] = column[i] }
    }
    return try h.symmetrized()
  }
}
