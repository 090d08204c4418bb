/// Checks for shapes that come from users (the REPL, scripts, files) before anything allocates.
extension Tensor {
  /// The most elements a tensor may hold (2³⁶ floats = 256 GiB): larger requests are typos.
  public static let maxElementCount = 1 << 36

  /// The element count of `shape`, or an error for negative extents or absurd sizes
  /// (instead of an arithmetic-overflow trap).
  public static func checkedCount(of shape: [Int]) throws -> Int {
    var n = 1
    for d in shape {
      guard d >= 0 else { throw TensorError.invalidShape("negative extent in shape \(shape)") }
      let (p, overflow) = n.multipliedReportingOverflow(by: d)
      guard !overflow, p <= maxElementCount else {
        throw TensorError.invalidShape("shape \(shape) has too many elements")
      }
      n = p
    }
    return n
  }

  /// Throws unless `shape` is a valid shape for a new tensor; call before `zeros`, `ones`,
  /// `full`, `uniform`, `normal`, `Tensor(repeating:shape:)` on user-supplied shapes.
  public static func validate(shape: [Int]) throws {
    _ = try checkedCount(of: shape)
  }

  /// The value of a one-element tensor, or an error naming the shape.
  public func item() throws -> Float {
    guard count == 1 else {
      throw TensorError.invalidShape("item() needs exactly one element, shape is \(shape)")
    }
    return storage[0]
  }
}
