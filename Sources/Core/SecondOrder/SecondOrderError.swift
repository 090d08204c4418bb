/// Errors from the second-order layer: subsets that do not fit a model, vectors of the wrong
/// length, matrices a factorisation cannot take, statistics that are undefined on the data.
public enum SecondOrderError: Error, CustomStringConvertible, Equatable {
  /// A parameter subset that does not fit the model (unknown name, unit out of range, ...).
  case invalidSubset(String)
  /// Vectors or matrices whose sizes disagree.
  case dimensionMismatch(String)
  /// A matrix Cholesky cannot factor (not symmetric, or not positive definite).
  case notPositiveDefinite(String)
  /// A matrix that is singular, or too badly conditioned to solve with.
  case singular(String)
  /// An argument out of its range (a non-finite value, a non-positive count, ...).
  case invalidArgument(String)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .invalidSubset(let m): return "invalid parameter subset: \(m)"
    case .dimensionMismatch(let m): return "dimension mismatch: \(m)"
    case .notPositiveDefinite(let m): return "not positive definite: \(m)"
    case .singular(let m): return "singular matrix: \(m)"
    case .invalidArgument(let m): return "invalid argument: \(m)"
    }
  }
}
