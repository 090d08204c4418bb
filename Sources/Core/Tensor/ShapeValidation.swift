/// Checks for shapes that come from users (the REPL, scripts, files) before anything allocates.
extension Tensor {
  /// The most elements a tensor may hold (2³⁶ floats = 256 GiB): larger requests are typos.
  public static let maxElementCount = 1 << 36
  /// The most dimensions a tensor may have (PyTorch allows 64 too): code that walks a shape
  /// recursively (printing, nested Lua tables) stays shallow.
  public static let maxRank = 64

  /// The element count of `shape`, or an error for negative extents or absurd sizes
  /// (instead of an arithmetic-overflow trap). The non-zero extents' product is bounded too, so
  /// that no product of some of a valid shape's extents (a stride, an inner size) can overflow
  /// even when another extent is 0.
  public static func checkedCount(of shape: [Int]) throws -> Int {
    guard shape.count <= maxRank else {
      throw TensorError.invalidShape("\(shape.count) dimensions; a tensor has at most \(maxRank)")
    }
    var nonZero = 1
    var zero = false
    for d in shape {
      guard d >= 0 else { throw TensorError.invalidShape("negative extent in shape \(shape)") }
      if d == 0 {
        zero = true
        continue
      }
      let (p, overflow) = nonZero.multipliedReportingOverflow(by: d)
      guard !overflow, p <= maxElementCount else {
        throw TensorError.invalidShape("shape \(shape) has too many elements")
      }
      nonZero = p
    }
    return zero ? 0 : nonZero
  }

  /// Throws unless a new tensor of `shape` may be allocated: extents non-negative, the count
  /// representable, and its bytes within the memory limit (`MemoryLimit.current`, which throws
  /// `MemoryLimitError`). Call before `zeros`, `ones`, `full`, `uniform`, `normal`,
  /// `Tensor(repeating:shape:)` on user-supplied shapes, and before any result whose size is
  /// not bounded by its operands' (broadcasting, products, gathers, joins).
  public static func validate(shape: [Int]) throws {
    let n = try checkedCount(of: shape)
    try MemoryLimit.current.check(count: n, elementBytes: MemoryLayout<Float>.stride, for: "a tensor of shape \(shape)")
  }

  /// The value of a one-element tensor, or an error naming the shape.
  public func item() throws -> Float {
    guard count == 1 else {
      throw TensorError.invalidShape("item() needs exactly one element, shape is \(shape)")
    }
    return storage[0]
  }
}
