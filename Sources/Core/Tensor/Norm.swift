/// The Euclidean (Frobenius) norm of a tensor's elements, accumulated in Double.
extension Tensor {
  /// Σ x² over all elements (0 for an empty tensor).
  public var squaredNorm: Double {
    withPointer { p in
      var s = 0.0
      for i in 0..<count {
        let x = Double(p[i])
        s += x * x
      }
      return s
    }
  }

  /// √(Σ x²) over all elements.
  public var norm: Double { squaredNorm.squareRoot() }
}
