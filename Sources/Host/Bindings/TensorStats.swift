import Core

/// Small summaries the inspection bindings print, composed from Core's tensor operations.
enum TensorStats {
  /// Σ x² over all elements (Core's elementwise product and sum).
  static func squaredNorm(_ t: Tensor) -> Double {
    // t * t cannot fail (equal shapes); an empty tensor sums to 0.
    (try? t * t).map { Double($0.sumAll) } ?? 0
  }
}
