/// Selection, extrema, spread and norms on `Variable`, with PyTorch's semantics. The selecting
/// ones forward to `PrimitivesSelection.swift`; variance, standard deviation, the minimum and the
/// p-norms are composed from differentiable primitives and need no rule of their own.
extension Variable {
  /// |x| elementwise (gradient sign(x), 0 at 0).
  public func abs() -> Variable { Primitives.abs(self) }

  /// Every element limited to [min, max] (gradient 1 inside, 0 outside); throws when min > max.
  public func clamped(min low: Float = -.infinity, max high: Float = .infinity) throws -> Variable {
    try Primitives.clamp(self, min: low, max: high)
  }

  /// The elementwise maximum with broadcasting (a tie sends half the gradient to each side).
  public func maximum(_ other: Variable) throws -> Variable {
    try Primitives.extremum(self, other, larger: true)
  }

  /// The elementwise minimum with broadcasting (a tie sends half the gradient to each side).
  public func minimum(_ other: Variable) throws -> Variable {
    try Primitives.extremum(self, other, larger: false)
  }

  /// `a` where `mask` is non-zero, else `b`, broadcasting all three; the mask gets no gradient.
  public static func `where`(_ mask: Tensor, _ a: Variable, _ b: Variable) throws -> Variable {
    try Primitives.select(mask, a, b)
  }

  /// −1, 0 or 1 by sign (NaN stays NaN); outside the graph (its gradient is zero everywhere).
  public func sign() -> Variable { Variable(value.sign()) }

  /// 1 where finite, else 0; outside the graph.
  public func isFinite() -> Variable { Variable(value.isFinite()) }

  /// The minimum over `axes` (all when empty); the gradient goes to the first minimum.
  public func min(axes: [Int] = [], keepDims: Bool = false) throws -> Variable {
    -(try (-self).max(axes: axes, keepDims: keepDims))
  }

  /// The variance over `axes` (all when empty): unbiased (÷(n−1), PyTorch's default) or biased (÷n).
  public func variance(axes: [Int] = [], keepDims: Bool = false, unbiased: Bool = true) throws -> Variable {
    let a = try Tensor.normalize(axes: axes, rank: value.rank, op: "variance")
    let n = a.reduce(1) { $0 * shape[$1] }
    guard n > (unbiased ? 1 : 0) else {
      throw TensorError.invalidShape("variance over \(n) element(s) of \(shape)")
    }
    let centred = try self - (try mean(axes: a, keepDims: true))
    return try (centred * centred).sum(axes: a, keepDims: keepDims) * (1 / Float(unbiased ? n - 1 : n))
  }

  /// The standard deviation over `axes`: √variance (unbiased by default, as `torch.std`).
  public func standardDeviation(axes: [Int] = [], keepDims: Bool = false, unbiased: Bool = true) throws
    -> Variable
  {
    try variance(axes: axes, keepDims: keepDims, unbiased: unbiased).sqrt()
  }

  /// The p-norm of all elements as a tensor of shape []: p = 2 (default, gradient x/‖x‖ and 0 at
  /// 0), p = 1 (Σ|x|), p = ∞ (max |x|), or any other p > 0 ((Σ|x|ᵖ)^(1/p)).
  public func norm(p: Float = 2) throws -> Variable {
    guard p > 0 else { throw TensorError.invalidArgument("norm: p must be > 0, got \(p)") }
    switch p {
    case 2: return Primitives.norm(self)
    case 1: return try abs().sum()
    case .infinity: return try abs().max()
    default: return try abs().pow(p).sum().pow(1 / p)
    }
  }
}
