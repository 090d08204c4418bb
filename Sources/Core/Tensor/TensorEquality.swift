/// Exact equality, for tests and checkpoint round trips (use a tolerance for computed values).
extension Tensor: Equatable {
  /// Equal shapes and bit-for-bit equal elements (NaN ≠ NaN).
  public static func == (a: Tensor, b: Tensor) -> Bool {
    a.shape == b.shape && a.storage == b.storage
  }
}
