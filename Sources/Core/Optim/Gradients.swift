/// What training loops and optimisers check and do to the accumulated gradients of a list of
/// parameters: find a non-finite one, and clip their joint norm as PyTorch's
/// `torch.nn.utils.clip_grad_norm_` does.
public enum Gradients {
  /// The position of the first parameter whose gradient holds a NaN or an infinity, or nil.
  public static func firstNonFinite(in parameters: [Variable]) -> Int? {
    parameters.firstIndex { $0.grad.map { !$0.isAllFinite } ?? false }
  }

  /// The Euclidean norm of all gradients together (parameters without one count as zero).
  public static func norm(of parameters: [Variable]) -> Double {
    parameters.reduce(0.0) { $0 + ($1.grad?.squaredNorm ?? 0) }.squareRoot()
  }

  /// Scales every gradient by min(1, maxNorm / (total + 1e-6)), where total is their joint norm,
  /// and returns that total from before clipping (`clip_grad_norm_` with p = 2). A non-finite
  /// total leaves the gradients unscaled: the caller reports it (see `firstNonFinite`).
  @discardableResult
  public static func clipNorm(_ parameters: [Variable], maxNorm: Double) throws -> Double {
    guard maxNorm >= 0, maxNorm.isFinite else {
      throw OptimizerError.invalidHyperparameter("clip_grad_norm: max_norm must be finite and ≥ 0, got \(maxNorm)")
    }
    let total = norm(of: parameters)
    guard total.isFinite else { return total }
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
      for p in parameters where p.grad != nil { p.grad!.applyAffine(scale: Float(coefficient)) }
    }
    return total
  }
}
