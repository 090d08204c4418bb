import LetheKernels

/// Elementwise arithmetic, maps and comparisons with NumPy broadcasting.
extension Tensor {
  /// Elementwise sum with broadcasting.
  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    try a.broadcasting(.add, b, name: "add")
  }
  /// Elementwise difference with broadcasting.
  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    try a.broadcasting(.sub, b, name: "sub")
  }
  /// Elementwise product with broadcasting.
  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    try a.broadcasting(.mul, b, name: "mul")
  }
  /// Elementwise quotient with broadcasting.
  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    try a.broadcasting(.div, b, name: "div")
  }

  /// Adds a scalar to every element.
  public static func + (a: Tensor, s: Float) -> Tensor { a.scalarOp(.add, s, first: false) }
  /// Subtracts a scalar from every element.
  public static func - (a: Tensor, s: Float) -> Tensor { a.scalarOp(.sub, s, first: false) }
  /// Multiplies every element by a scalar.
  public static func * (a: Tensor, s: Float) -> Tensor { a.scalarOp(.mul, s, first: false) }
  /// Divides every element by a scalar.
  public static func / (a: Tensor, s: Float) -> Tensor { a.scalarOp(.div, s, first: false) }
  /// Adds every element to a scalar.
  public static func + (s: Float, a: Tensor) -> Tensor { a.scalarOp(.add, s, first: true) }
  /// Subtracts every element from a scalar.
  public static func - (s: Float, a: Tensor) -> Tensor { a.scalarOp(.sub, s, first: true) }
  /// Multiplies a scalar by every element.
  public static func * (s: Float, a: Tensor) -> Tensor { a.scalarOp(.mul, s, first: true) }
  /// Divides a scalar by every element.
  public static func / (s: Float, a: Tensor) -> Tensor { a.scalarOp(.div, s, first: true) }

  /// The elementwise negation.
  public static prefix func - (a: Tensor) -> Tensor { a.map(.neg) }

  /// eˣ elementwise.
  public func exp() -> Tensor { map(.exp) }
  /// Natural logarithm elementwise.
  public func log() -> Tensor { map(.log) }
  /// Square root elementwise.
  public func sqrt() -> Tensor { map(.sqrt) }
  /// max(x, 0) elementwise.
  public func relu() -> Tensor { map(.relu) }
  /// Hyperbolic tangent elementwise.
  public func tanh() -> Tensor { map(.tanh) }
  /// Logistic sigmoid elementwise.
  public func sigmoid() -> Tensor { map(.sigmoid) }
  /// Absolute value elementwise.
  public func abs() -> Tensor { map(.abs) }

  /// Every element raised to the power `p`.
  public func pow(_ p: Float) -> Tensor {
    withPointer { x in
      Tensor.build(shape: shape) { Elementwise.pow(x, $0, count: count, exponent: p) }
    }
  }

  /// Every element limited to [min, max].
  public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
    withPointer { x in
      Tensor.build(shape: shape) { Elementwise.clamp(x, $0, count: count, low: low, high: high) }
    }
  }

  /// x · scale + shift elementwise.
  public func affine(scale: Float, shift: Float) -> Tensor {
    withPointer { x in
      Tensor.build(shape: shape) {
        Elementwise.affine(x, $0, count: count, scale: scale, shift: shift)
      }
    }
  }

  /// Elementwise maximum with broadcasting.
  public func maximum(_ other: Tensor) throws -> Tensor {
    try broadcasting(.max, other, name: "maximum")
  }
  /// Elementwise minimum with broadcasting.
  public func minimum(_ other: Tensor) throws -> Tensor {
    try broadcasting(.min, other, name: "minimum")
  }

  /// 1 where self > other, else 0 (broadcasting).
  public func greater(_ other: Tensor) throws -> Tensor {
    try broadcasting(.greater, other, name: "greater")
  }
  /// 1 where self < other, else 0 (broadcasting).
  public func less(_ other: Tensor) throws -> Tensor {
    try broadcasting(.less, other, name: "less")
  }
  /// 1 where self ≥ other, else 0 (broadcasting).
  public func greaterEqual(_ other: Tensor) throws -> Tensor {
    try broadcasting(.greaterEqual, other, name: "greaterEqual")
  }
  /// 1 where self ≤ other, else 0 (broadcasting).
  public func lessEqual(_ other: Tensor) throws -> Tensor {
    try broadcasting(.lessEqual, other, name: "lessEqual")
  }
  /// 1 where self == other, else 0 (broadcasting).
  public func equal(_ other: Tensor) throws -> Tensor {
    try broadcasting(.equal, other, name: "equal")
  }
  /// 1 where self > value, else 0.
  public func greater(_ value: Float) -> Tensor { scalarOp(.greater, value, first: false) }
  /// 1 where self < value, else 0.
  public func less(_ value: Float) -> Tensor { scalarOp(.less, value, first: false) }
  /// 1 where self == value, else 0.
  public func equal(_ value: Float) -> Tensor { scalarOp(.equal, value, first: false) }

  func map(_ op: Elementwise.Unary) -> Tensor {
    withPointer { x in Tensor.build(shape: shape) { Elementwise.unary(op, x, $0, count: count) } }
  }

  func scalarOp(_ op: Elementwise.Binary, _ s: Float, first: Bool) -> Tensor {
    withPointer { x in
      Tensor.build(shape: shape) {
        Elementwise.binaryScalar(op, x, s, $0, count: count, scalarFirst: first)
      }
    }
  }
}

/// In-place updates for optimisers: no temporaries, one pass.
extension Tensor {
  /// self += alpha · other (equal shapes).
  public mutating func addScaled(_ other: Tensor, by alpha: Float) throws {
    guard shape == other.shape else {
      throw TensorError.shapeMismatch("addScaled: \(shape) and \(other.shape)")
    }
    let n = count
    other.withPointer { src in withMutablePointer { Elementwise.axpy(alpha, src, $0, count: n) } }
  }

  /// self = self · scale + shift, in place.
  public mutating func applyAffine(scale: Float, shift: Float = 0) {
    let n = count
    withMutablePointer { Elementwise.affine($0, $0, count: n, scale: scale, shift: shift) }
  }
}
