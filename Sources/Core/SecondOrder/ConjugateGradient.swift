/// Conjugate gradient for (A + λI)·x = b with A symmetric positive semi-definite given only as
/// a product v ↦ A·v (a `HessianVectorProduct`, a Fisher matrix, ...), λ ≥ 0 the damping.
///
/// Stops when ‖r‖ ≤ `tolerance`·‖b‖, after `maxIterations` products, or on a direction of
/// non-positive curvature pᵀ(A + λI)p ≤ 0 (a non-convex Hessian: raise the damping); the
/// result says which. Vectors and sums are Float64.
public enum ConjugateGradient {
  /// Why the iteration stopped.
  public enum Status: String, Sendable {
    /// The relative residual reached the tolerance.
    case converged
    /// The iteration limit came first.
    case maxIterations
    /// A search direction had pᵀ(A + λI)p ≤ 0: the operator is not positive definite there.
    case negativeCurvature
  }

  /// The solution and how it was reached.
  public struct Result: Sendable {
    /// The last iterate.
    public let solution: [Double]
    /// Products with A performed.
    public let iterations: Int
    /// ‖b − (A + λI)x‖ of the last iterate, as tracked by the recurrence.
    public let residualNorm: Double
    /// Why it stopped.
    public let status: Status
  }

  /// Solves (A + damping·I)·x = b from `initial` (zeros by default).
  public static func solve(
    _ apply: ([Double]) throws -> [Double], _ b: [Double], damping: Double = 0,
    tolerance: Double = 1e-6, maxIterations: Int? = nil, initial: [Double]? = nil
  ) throws -> Result {
    let n = b.count
    guard damping >= 0, damping.isFinite, tolerance > 0, b.allSatisfy({ $0.isFinite }) else {
      throw SecondOrderError.invalidArgument(
        "conjugate gradient needs damping ≥ 0, tolerance > 0 and a finite right-hand side")
    }
    let limit = maxIterations ?? Swift.max(2 * n, 10)
    guard limit >= 0 else { throw SecondOrderError.invalidArgument("max iterations \(limit)") }
    if let initial, initial.count != n {
      throw SecondOrderError.dimensionMismatch("initial guess of \(initial.count) for a system of \(n)")
    }
    func operate(_ v: [Double]) throws -> [Double] {
      let av = try apply(v)
      guard av.count == n else {
        throw SecondOrderError.dimensionMismatch("the operator returned \(av.count) values for \(n)")
      }
      return zip(av, v).map { $0 + damping * $1 }
    }
    var x = initial ?? [Double](repeating: 0, count: n)
    var r = b
    var iterations = 0
    if initial != nil {
      r = zip(b, try operate(x)).map { $0 - $1 }
      iterations = 1
    }
    let target = tolerance * Float64Vectors.norm(b)
    var rr = Float64Vectors.dot(r, r)
    var p = r
    while rr.squareRoot() > target {
      guard iterations < limit else {
        return Result(solution: x, iterations: iterations, residualNorm: rr.squareRoot(), status: .maxIterations)
      }
      let ap = try operate(p)
      iterations += 1
      let curvature = Float64Vectors.dot(p, ap)
      guard curvature.isFinite else {
        throw SecondOrderError.invalidArgument("the operator returned non-finite values")
      }
      guard curvature > 0 else {
        return Result(solution: x, iterations: iterations, residualNorm: rr.squareRoot(), status: .negativeCurvature)
      }
      let alpha = rr / curvature
      for i in 0..<n {
        x[i] += alpha * p[i]
        r[i] -= alpha * ap[i]
      }
      let next = Float64Vectors.dot(r, r)
      let beta = next / rr
      rr = next
      for i in 0..<n { p[i] = r[i] + beta * p[i] }
    }
    return Result(solution: x, iterations: iterations, residualNorm: rr.squareRoot(), status: .converged)
  }
}
