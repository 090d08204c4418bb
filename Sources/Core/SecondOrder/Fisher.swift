/// Fisher information over a parameter subset, from per-sample gradients.
///
/// - The **empirical Fisher** F̂ = (1/N) Σ g_i g_iᵀ uses each sample's gradient at its true
///   label (LCODEC's "Fisher" Hessian approximation is this with N = 1).
/// - The **model Fisher** F = (1/N) Σ_i Σ_k p(k|x_i) ∇log p(k|x_i) ∇log p(k|x_i)ᵀ takes the
///   expectation over the model's own predictive distribution (what Fisher forgetting uses);
///   for cross-entropy, ∇log p(k|x) is minus the gradient of the loss at label k.
///
/// Diagonals are returned as vectors, full matrices as `DenseMatrix` (P × P: keep subsets
/// small).
public enum Fisher {
  /// diag F̂: the mean over rows of `perSampleGradients` (`[N, P]`) of each squared element.
  public static func empiricalDiagonal(_ perSampleGradients: Tensor) throws -> [Double] {
    let (n, p) = try shape(perSampleGradients)
    var d = [Double](repeating: 0, count: p)
    perSampleGradients.storage.withUnsafeBufferPointer { g in
      for i in 0..<n {
        for j in 0..<p {
          let v = Double(g[i * p + j])
          d[j] += v * v
        }
      }
    }
    return d.map { $0 / Double(n) }
  }

  /// F̂ = (1/N) Σ g_i g_iᵀ from per-sample gradients `[N, P]`.
  public static func empirical(_ perSampleGradients: Tensor) throws -> DenseMatrix {
    let (n, _) = try shape(perSampleGradients)
    return try DenseMatrix.gram(perSampleGradients, dividedBy: Double(n))
  }

  /// diag F of the model's predictive distribution for classifier inputs `[N, ...]`, the
  /// model producing logits `[N, K]`: Σ_k p(k|x) (∂ log p(k|x))² averaged over samples.
  /// Costs K per-sample-gradient passes (one per class).
  public static func modelDiagonal(subset: ParameterSubset, inputs: Tensor, chunkSize: Int = 256)
    throws -> [Double]
  {
    guard inputs.rank >= 1, inputs.shape[0] > 0 else {
      throw SecondOrderError.dimensionMismatch("Fisher of inputs of shape \(inputs.shape)")
    }
    let n = inputs.shape[0]
    let probabilities = try GradMode.withoutGrad {
      try subset.model(Variable(inputs)).softmax(axis: 1).value
    }
    guard probabilities.rank == 2, probabilities.shape[0] == n else {
      throw SecondOrderError.dimensionMismatch(
        "the model's output has shape \(probabilities.shape); the model Fisher needs logits [N, K]")
    }
    let k = probabilities.shape[1]
    var d = [Double](repeating: 0, count: subset.count)
    for label in 0..<k {
      let g = try PerSampleGradients.compute(
        subset: subset, inputs: inputs, targets: [Int](repeating: label, count: n),
        chunkSize: chunkSize)
      let p = subset.count
      g.storage.withUnsafeBufferPointer { gp in
        for i in 0..<n {
          let weight = Double(probabilities.storage[i * k + label])
          for j in 0..<p {
            let v = Double(gp[i * p + j])
            d[j] += weight * v * v
          }
        }
      }
    }
    return d.map { $0 / Double(n) }
  }

  private static func shape(_ t: Tensor) throws -> (Int, Int) {
    guard t.rank == 2, t.shape[0] > 0 else {
      throw SecondOrderError.dimensionMismatch("per-sample gradients of shape \(t.shape); need [N > 0, P]")
    }
    return (t.shape[0], t.shape[1])
  }
}
