/// Differentiable operations as operators and methods on `Variable`; each forwards to the
/// primitive (`Primitives*.swift`) that holds its gradient rule.
extension Variable {
  /// Elementwise sum with broadcasting.
  public static func + (a: Variable, b: Variable) throws -> Variable { try Primitives.add(a, b) }
  /// Elementwise difference with broadcasting.
  public static func - (a: Variable, b: Variable) throws -> Variable { try Primitives.sub(a, b) }
  /// Elementwise product with broadcasting.
  public static func * (a: Variable, b: Variable) throws -> Variable { try Primitives.mul(a, b) }
  /// Elementwise quotient with broadcasting.
  public static func / (a: Variable, b: Variable) throws -> Variable { try Primitives.div(a, b) }

  /// Adds a scalar.
  public static func + (a: Variable, s: Float) -> Variable {
    Primitives.affine(a, scale: 1, shift: s)
  }
  /// Subtracts a scalar.
  public static func - (a: Variable, s: Float) -> Variable {
    Primitives.affine(a, scale: 1, shift: -s)
  }
  /// Multiplies by a scalar.
  public static func * (a: Variable, s: Float) -> Variable {
    Primitives.affine(a, scale: s, shift: 0)
  }
  /// Divides by a scalar.
  public static func / (a: Variable, s: Float) -> Variable {
    Primitives.affine(a, scale: 1 / s, shift: 0)
  }
  /// A scalar plus every element.
  public static func + (s: Float, a: Variable) -> Variable { a + s }
  /// A scalar minus every element.
  public static func - (s: Float, a: Variable) -> Variable {
    Primitives.affine(a, scale: -1, shift: s)
  }
  /// A scalar times every element.
  public static func * (s: Float, a: Variable) -> Variable { a * s }
  /// A scalar divided by every element.
  public static func / (s: Float, a: Variable) -> Variable { Primitives.pow(a, -1) * s }
  /// The elementwise negation.
  public static prefix func - (a: Variable) -> Variable { Primitives.neg(a) }

  /// eˣ elementwise.
  public func exp() -> Variable { Primitives.exp(self) }
  /// Natural logarithm elementwise.
  public func log() -> Variable { Primitives.log(self) }
  /// Square root elementwise.
  public func sqrt() -> Variable { Primitives.sqrt(self) }
  /// Every element to the power p.
  public func pow(_ p: Float) -> Variable { Primitives.pow(self, p) }
  /// max(x, 0) elementwise.
  public func relu() -> Variable { Primitives.relu(self) }
  /// Hyperbolic tangent elementwise.
  public func tanh() -> Variable { Primitives.tanh(self) }
  /// Logistic sigmoid elementwise.
  public func sigmoid() -> Variable { Primitives.sigmoid(self) }

  /// The sum over `axes` (all when empty).
  public func sum(axes: [Int] = [], keepDims: Bool = false) throws -> Variable {
    try Primitives.sum(self, axes: axes, keepDims: keepDims)
  }

  /// The mean over `axes` (all when empty).
  public func mean(axes: [Int] = [], keepDims: Bool = false) throws -> Variable {
    let a = try Tensor.normalize(axes: axes, rank: value.rank, op: "mean")
    let n = a.reduce(1) { $0 * shape[$1] }
    guard n > 0 else { throw TensorError.invalidShape("mean over an empty axis of \(shape)") }
    return try sum(axes: a, keepDims: keepDims) * (1 / Float(n))
  }

  /// The maximum over `axes` (all when empty); the gradient goes to the first maximum.
  public func max(axes: [Int] = [], keepDims: Bool = false) throws -> Variable {
    try Primitives.max(self, axes: axes, keepDims: keepDims)
  }

  /// The same elements under another shape (one extent may be -1).
  public func reshaped(_ shape: [Int]) throws -> Variable { try Primitives.reshape(self, shape) }

  /// Axes from `axis` on merged into one.
  public func flattened(from axis: Int = 1) throws -> Variable {
    try Primitives.reshape(self, value.flattened(from: axis).shape)
  }

  /// Axes reordered: result axis i is axis `axes[i]`.
  public func permuted(_ axes: [Int]) throws -> Variable { try Primitives.permute(self, axes) }

  /// The last two axes swapped.
  public func transposed() throws -> Variable {
    guard value.rank >= 2 else {
      throw TensorError.invalidShape("transpose needs rank ≥ 2, got \(shape)")
    }
    var p = Array(0..<value.rank)
    p.swapAt(value.rank - 2, value.rank - 1)
    return try permuted(p)
  }

  /// Repeated along broadcast axes to `shape`.
  public func broadcast(to shape: [Int]) throws -> Variable {
    try Primitives.broadcast(self, to: shape)
  }

  /// Matrix product `[..., m, k] · [..., k, n]` (see `Tensor.matmul`).
  public func matmul(_ other: Variable) throws -> Variable { try Primitives.matmul(self, other) }

  /// Elements `start..<end` along `axis`.
  public func sliced(axis: Int, start: Int, end: Int) throws -> Variable {
    try Primitives.slice(self, axis: axis, start: start, end: end)
  }

  /// The entries at `indices` along `axis`.
  public func indexSelect(axis: Int, indices: [Int]) throws -> Variable {
    try Primitives.indexSelect(self, axis: axis, indices: indices)
  }

  /// Variables joined along `axis`.
  public static func concat(_ vs: [Variable], axis: Int) throws -> Variable {
    try Primitives.concat(vs, axis: axis)
  }

  /// Variables of equal shapes stacked along a new axis.
  public static func stack(_ vs: [Variable], axis: Int = 0) throws -> Variable {
    guard let first = vs.first else { throw TensorError.invalidArgument("stack of an empty list") }
    for v in vs where v.shape != first.shape {
      throw TensorError.shapeMismatch("stack: shapes \(first.shape) and \(v.shape) differ")
    }
    let a = try Tensor.normalize(axis: axis, rank: first.value.rank + 1, op: "stack")
    return try concat(vs.map { try $0.unsqueezed(axis: a) }, axis: a)
  }

  /// A new axis of extent 1 at `axis`.
  public func unsqueezed(axis: Int) throws -> Variable {
    try reshaped(value.unsqueezed(axis: axis).shape)
  }

  /// Axis `axis` (of extent 1) removed.
  public func squeezed(axis: Int) throws -> Variable {
    try reshaped(value.squeezed(axis: axis).shape)
  }

  /// Softmax along `axis`.
  public func softmax(axis: Int = -1) throws -> Variable {
    try Primitives.softmax(self, axis: axis, log: false)
  }

  /// Log-softmax along `axis`.
  public func logSoftmax(axis: Int = -1) throws -> Variable {
    try Primitives.softmax(self, axis: axis, log: true)
  }
}
